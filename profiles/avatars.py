"""P7 avatar: an uploaded image, checked by Pillow, at most AVATAR_MAX_BYTES, replacing the
previous one (whose file is removed once the new one is saved)."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from history import services as history
from history.models import EventType

from .models import Profile

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


class AvatarForm(forms.Form):
    avatar = forms.ImageField(label="Avatar image")

    def clean_avatar(self) -> UploadedFile:
        image = self.cleaned_data["avatar"]
        if image.size > AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                f"The image is {filesizeformat(image.size)}; the limit is "
                f"{filesizeformat(AVATAR_MAX_BYTES)}."
            )
        kind = getattr(image, "image", None) and image.image.format
        if kind not in AVATAR_FORMATS:
            raise forms.ValidationError("Upload a JPEG, PNG, GIF or WebP image.")
        return image


@transaction.atomic
def replace_avatar(
    *, profile: Profile, image: UploadedFile, actor: AbstractBaseUser | None = None
) -> Profile:
    """Store the (validated) image as the profile's avatar and record the change."""
    old = profile.avatar.name if profile.avatar else ""
    profile.avatar.save(image.name, image, save=False)
    profile.save(update_fields=["avatar", "updated_at"])
    history.record(
        type=EventType.PROFILE_UPDATED, profile=profile, actor=actor,
        data={"changes": {"avatar": {"old": old, "new": profile.avatar.name}}},
    )  # fmt: skip
    if old:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
    return profile
