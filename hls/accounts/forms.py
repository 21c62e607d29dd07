from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from hls.accounts.models import TIME_ZONE_CHOICES, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check them and try again."
        ),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self) -> str:
        # Emails are stored lower-cased; login throttling must count "Pat@x" and "pat@x" as one.
        return str(self.cleaned_data["username"]).lower()


class SignupForm(forms.Form):
    """Create an account while accepting an invitation; the email comes from the invitation."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only numbers, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Europe/London"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ. Type them again."))
        return data


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "time_zone"]


# Two-step sign-in and passwords (docs/accounts.md) ---------------------------------------------

_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "autocapitalize": "off",
    "spellcheck": "false",
    "autofocus": True,
}


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six digits your authenticator app shows for HLS Learning Cycles, or one of your "
            "recovery codes."
        ),
        widget=forms.TextInput(attrs=_CODE_ATTRS),
    )


class TwoFactorConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("The six digits your app shows now"),
        max_length=12,
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "inputmode": "numeric", "autofocus": False}),
    )


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("A code from your app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "autofocus": False}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ChangePasswordForm(PasswordChangeForm):
    """Django's form, in the product's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Your current password")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = _(
            "At least 8 characters, not only numbers, not a common password."
        )
        self.fields["new_password2"].label = _("Type the new password again")
