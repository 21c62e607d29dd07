from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import Role


class WorkspaceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("The partnership, council, charity or agency, as people call it."),
    )
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=60,
        required=False,
        help_text=_("Letters, numbers and hyphens. Left empty, it is made from the name."),
    )

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:60]
        if not slug:
            raise forms.ValidationError(_("Give a web address of letters, numbers and hyphens."))
        return slug


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.PRACTITIONER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TwoFactorPolicyForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Admins and stewards must sign in in two steps"),
        required=False,
        help_text=_(
            "With this on, an admin or steward who has not set up two-step sign-in is asked to "
            "set it up before they can carry on here. Everyone else may choose it for themselves."
        ),
    )
