from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hls.accounts.models import User


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "", time_zone: str = "") -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email already exists.")})
    user = User(email=email, full_name=full_name.strip())
    if time_zone:
        user.time_zone = time_zone
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error
    user.set_password(password)
    user.save()
    return user


def user_update_profile(*, user: User, full_name: str, time_zone: str) -> User:
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["full_name", "time_zone"])
    return user
