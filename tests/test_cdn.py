"""CDN URLs in the formats Fluxer's clients build, and the size / format checks."""

from __future__ import annotations

import pytest

from fluxer_rx import cdn

U = "https://fluxerusercontent.com"


def test_avatar_urls() -> None:
    assert cdn.avatar_url("123", "abc") == f"{U}/avatars/123/abc.png"
    assert cdn.avatar_url(123, "abc", size=256, format="webp") == (
        f"{U}/avatars/123/abc.webp?size=256"
    )
    assert cdn.avatar_url("1", "a_anim") == f"{U}/avatars/1/a_anim.gif"
    assert cdn.avatar_url("1", "a_anim", format="png") == f"{U}/avatars/1/a_anim.png"
    assert cdn.member_avatar_url("9", "1", "h", size=64) == (
        f"{U}/guilds/9/users/1/avatars/h.png?size=64"
    )


def test_default_and_display_avatars() -> None:
    assert cdn.default_avatar_url("1500000000000000003") == "https://fluxerstatic.com/avatars/3.png"
    assert cdn.default_avatar_url(12) == "https://fluxerstatic.com/avatars/0.png"
    assert cdn.display_avatar_url("7", None) == "https://fluxerstatic.com/avatars/1.png"
    assert cdn.display_avatar_url("7", "h") == f"{U}/avatars/7/h.png"


def test_guild_emoji_sticker_and_attachment_urls() -> None:
    assert cdn.guild_icon_url("5", "i", size=128) == f"{U}/icons/5/i.png?size=128"
    assert cdn.guild_icon_url("5", "a_i") == f"{U}/icons/5/a_i.gif"
    assert cdn.banner_url("5", "b", size=1024) == f"{U}/banners/5/b.png?size=1024"
    assert cdn.guild_splash_url("5", "s") == f"{U}/splashes/5/s.png"
    assert cdn.emoji_url("42") == f"{U}/emojis/42.png"
    assert cdn.emoji_url(42, animated=True, size=48) == f"{U}/emojis/42.gif?size=48"
    assert cdn.sticker_url("8", format="webp") == f"{U}/stickers/8.webp"
    assert cdn.attachment_url("1", "2", "my file.png") == f"{U}/attachments/1/2/my%20file.png"


def test_a_self_hosted_instance_passes_its_bases() -> None:
    assert cdn.avatar_url("1", "h", media_base="https://media.example/") == (
        "https://media.example/avatars/1/h.png"
    )
    assert cdn.default_avatar_url("1", static_base="https://static.example") == (
        "https://static.example/avatars/1.png"
    )


@pytest.mark.parametrize("size", [0, -16, 100000, 255, True])
def test_sizes_off_the_ladder_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="size must be one of"):
        cdn.avatar_url("1", "h", size=size)


def test_unknown_formats_and_gif_for_still_images_are_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of"):
        cdn.emoji_url("1", format="bmp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="animated"):
        cdn.guild_icon_url("1", "still", format="gif")
