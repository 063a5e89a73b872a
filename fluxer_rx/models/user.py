"""User objects: the partial user seen everywhere, and the private user of READY / USER_UPDATE."""

from __future__ import annotations

from fluxer_rx.models.base import Model

__all__ = ["PartialUser", "PendingBulkMessageDeletion", "PrivateUser"]


class PartialUser(Model, kw_only=True):
    """A user as embedded in messages, members and presences (``UserPartialResponse``).

    Gateway payloads often carry only ``{id}`` (for example members in READY, or
    GUILD_MEMBER_REMOVE); every other field is then at its default.
    """

    avatar: str | None = None
    avatar_color: int | None = None
    banner: str | None = None
    banner_color: int | None = None
    bot: bool | None = None
    discriminator: str | None = None
    flags: int = 0
    global_name: str | None = None
    id: str
    mention_flags: int | None = None
    system: bool | None = None
    username: str | None = None


class PendingBulkMessageDeletion(Model, kw_only=True):
    """A scheduled deletion of all the user's messages."""

    channel_count: int = 0
    message_count: int = 0
    scheduled_at: str | None = None


class PrivateUser(PartialUser, kw_only=True):
    """The logged-in user (``UserPrivateResponse``), as in READY ``user`` and USER_UPDATE.

    Bots see few of the account fields; all default when absent.
    """

    accent_color: int | None = None
    acls: tuple[str, ...] = ()
    age_verified_adult: bool | None = None
    authenticator_types: tuple[int, ...] | None = None
    bio: str | None = None
    email: str | None = None
    email_bounced: bool | None = None
    force_inbound_phone_verification: bool | None = None
    has_dismissed_premium_onboarding: bool = False
    has_ever_purchased: bool = False
    has_unread_gift_inventory: bool = False
    has_verified_phone: bool = False
    is_staff: bool = False
    last_voice_activity_sharing_change_at: str | None = None
    mfa_enabled: bool = False
    nsfw_allowed: bool = False
    password_last_changed_at: str | None = None
    pending_bulk_message_deletion: PendingBulkMessageDeletion | None = None
    phone: str | None = None
    premium_badge_hidden: bool = False
    premium_badge_masked: bool = False
    premium_badge_sequence_hidden: bool = False
    premium_badge_timestamp_hidden: bool = False
    premium_billing_cycle: str | None = None
    premium_discriminator: bool = False
    premium_enabled_override: bool = False
    premium_grace_ends_at: str | None = None
    premium_lifetime_sequence: int | None = None
    premium_perks_disabled: bool = False
    premium_purchase_disabled: bool = False
    premium_since: str | None = None
    premium_type: int | None = None
    premium_until: str | None = None
    premium_will_cancel: bool = False
    privacy_agreed_at: str | None = None
    pronouns: str | None = None
    required_actions: tuple[str, ...] = ()
    terms_agreed_at: str | None = None
    timezone: str | None = None
    timezone_privacy_flags: int | None = None
    traits: tuple[str, ...] = ()
    unread_gift_inventory_count: int = 0
    verified: bool = False
