"""How many of the digest's bot-relevant operations have a typed ``Rest`` method.

The classification is data, so the count is reproducible:

* bot-relevant = every operation tagged Channels, Guilds, Webhooks, Invites, Emojis,
  Stickers, Gateway or Instance, minus :data:`NOT_FOR_BOTS` (user-only or client-only
  features, each with its reason), plus :data:`BOT_USERS_OPERATIONS` (the Users routes a bot
  token may call) and :data:`BOT_OTHER_OPERATIONS` (``GET /applications/@me``, tagged OAuth2);
* typed = a :data:`TYPED` entry naming the ``Rest`` method that sends it.

Run with ``-s`` to print the count.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fluxer_rx.rest import Rest

DIGEST = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "fluxer-api-digest.json").read_text("utf-8")
)
OPERATIONS: dict[str, dict[str, Any]] = {op["operation"]: op for op in DIGEST["operations"]}

BOT_TAGS = {
    "Channels",
    "Guilds",
    "Webhooks",
    "Invites",
    "Emojis",
    "Stickers",
    "Gateway",
    "Instance",
}

_CALLS = "calls are a user (voice client) feature"
_CLIENT = "voice / stream client plumbing, not a bot API"
_SELF = "a user account's own read state or bulk self-deletion"
NOT_FOR_BOTS: dict[str, str] = {
    "bulkListChannelMessages": "client preload of many channels",
    "requestPresignedMessageAttachmentUploads": "web client upload flow (bots send multipart)",
    "completeMultipartMessageAttachmentUploads": "web client upload flow (bots send multipart)",
    "getCallEligibility": _CALLS,
    "updateCallRegion": _CALLS,
    "endCall": _CALLS,
    "ringCallRecipients": _CALLS,
    "stopRingingCallRecipients": _CALLS,
    "clearChannelReadState": _SELF,
    "acknowledgeMessage": _SELF,
    "acknowledgePins": _SELF,
    "bulkDeleteMyMessagesInChannel": _SELF,
    "bulkDeleteMyMessagesInGuild": _SELF,
    "purgePersonalNotesMessages": "personal notes channel of a user",
    "scheduleMessage": "scheduled messages are a user feature",
    "addGroupDmRecipient": "group DMs are user-only",
    "removeGroupDmRecipient": "group DMs are user-only",
    "uploadVoiceDebugLoggingEvents": _CLIENT,
    "getVoiceDebugLoggingStatus": _CLIENT,
    "setVoiceDebugLoggingStatus": _CLIENT,
    "heartbeatVoicePresence": _CLIENT,
    "endVoicePresenceHeartbeat": _CLIENT,
    "getStreamPreview": _CLIENT,
    "uploadStreamPreview": _CLIENT,
    "deleteStreamPreview": _CLIENT,
    "createStreamPreviewUploadUrl": _CLIENT,
    "updateStreamRegion": _CLIENT,
    "createGuild": "bots cannot create guilds (BOTS_CANNOT_CREATE_GUILDS)",
    "deleteGuild": "needs the owner's sudo verification",
    "transferGuildOwnership": "needs the owner's sudo verification",
    "acceptInvite": "user-only (a bot joins through OAuth2)",
    "listPackInvites": "expression packs are a user feature",
    "createPackInvite": "expression packs are a user feature",
    "executeGithubWebhook": "called by GitHub, not by a bot",
    "executeSlackWebhook": "called by Slack-compatible senders, not by a bot",
    "executeInstatusWebhook": "called by Instatus, not by a bot",
}

BOT_USERS_OPERATIONS = {
    "getCurrentUser",
    "updateCurrentUser",
    "listPrivateChannels",
    "createPrivateChannel",
    "getUserById",
    "getUserProfile",
}
BOT_OTHER_OPERATIONS = {"getCurrentUserApplications"}

TYPED: dict[str, str] = {
    # Channels
    "getChannel": "get_channel",
    "updateChannel": "edit_channel",
    "deleteChannel": "delete_channel",
    "listMessages": "get_messages",
    "sendMessage": "create_message",
    "getMessage": "get_message",
    "editMessage": "edit_message",
    "deleteMessage": "delete_message",
    "bulkDeleteMessages": "bulk_delete_messages",
    "removeAllReactions": "clear_reactions",
    "removeAllReactionsForEmoji": "clear_reactions",
    "listReactionUsers": "get_reactions",
    "addReaction": "add_reaction",
    "removeOwnReaction": "remove_own_reaction",
    "removeReaction": "remove_user_reaction",
    "listReactionUsersV2": "iter_reaction_users",
    "deleteMessageAttachment": "delete_message_attachment",
    "getChannelSlowmodeState": "get_slowmode_state",
    "listRtcRegions": "get_rtc_regions",
    "listPinnedMessages": "get_pinned_messages",
    "pinMessage": "pin_message",
    "unpinMessage": "unpin_message",
    "indicateTyping": "trigger_typing",
    "setChannelPermissionOverwrite": "set_permission_overwrite",
    "deleteChannelPermissionOverwrite": "delete_permission_overwrite",
    # Gateway, Instance, expression metadata
    "getGatewayBot": "get_gateway_bot",
    "getEmojiMetadata": "get_emoji_metadata",
    "getStickerMetadata": "get_sticker_metadata",
    "getWellKnownFluxer": "fetch_instance",
    # Guilds
    "getGuild": "get_guild",
    "updateGuild": "edit_guild",
    "listGuildAuditLogs": "get_audit_log",
    "listGuildBans": "get_guild_bans",
    "banGuildMember": "ban_member",
    "unbanGuildMember": "unban_member",
    "listGuildChannels": "get_guild_channels",
    "createGuildChannel": "create_guild_channel",
    "updateGuildChannelPositions": "edit_channel_positions",
    "listGuildEmojis": "get_guild_emojis",
    "createGuildEmoji": "create_guild_emoji",
    "updateGuildEmoji": "edit_guild_emoji",
    "deleteGuildEmoji": "delete_guild_emoji",
    "bulkCreateGuildEmojis": "create_guild_emojis",
    "cloneGuildEmoji": "clone_guild_emoji",
    "listGuildMembers": "get_guild_members",
    "getCurrentGuildMember": "get_guild_member",
    "getGuildMember": "get_guild_member",
    "updateGuildMember": "edit_member",
    "updateCurrentGuildMember": "edit_current_member",
    "searchGuildMembers": "search_guild_members",
    "removeGuildMember": "kick_member",
    "addGuildMemberRole": "add_member_role",
    "removeGuildMemberRole": "remove_member_role",
    "listGuildRoles": "get_guild_roles",
    "createGuildRole": "create_role",
    "updateGuildRolePositions": "edit_role_positions",
    "updateGuildRole": "edit_role",
    "deleteGuildRole": "delete_role",
    "updateRoleHoistPositions": "edit_role_hoist_positions",
    "resetRoleHoistPositions": "reset_role_hoist_positions",
    "getGuildVanityUrl": "get_vanity_url",
    "updateGuildVanityUrl": "edit_vanity_url",
    "listGuildStickers": "get_guild_stickers",
    "createGuildSticker": "create_guild_sticker",
    "updateGuildSticker": "edit_guild_sticker",
    "deleteGuildSticker": "delete_guild_sticker",
    "bulkCreateGuildStickers": "create_guild_stickers",
    "cloneGuildSticker": "clone_guild_sticker",
    "listGuilds": "get_current_user_guilds",
    "leaveGuild": "leave_guild",
    # Invites
    "createChannelInvite": "create_invite",
    "listChannelInvites": "get_channel_invites",
    "listGuildInvites": "get_guild_invites",
    "getInvite": "get_invite",
    "deleteInvite": "delete_invite",
    # Webhooks
    "createWebhook": "create_webhook",
    "listChannelWebhooks": "get_channel_webhooks",
    "listGuildWebhooks": "get_guild_webhooks",
    "getWebhook": "get_webhook",
    "updateWebhook": "edit_webhook",
    "deleteWebhook": "delete_webhook",
    "getWebhookWithToken": "get_webhook",
    "updateWebhookWithToken": "edit_webhook",
    "deleteWebhookWithToken": "delete_webhook",
    "executeWebhook": "execute_webhook",
    "getWebhookMessage": "get_webhook_message",
    "editWebhookMessage": "edit_webhook_message",
    "deleteWebhookMessage": "delete_webhook_message",
    # Users, OAuth2
    "getCurrentUser": "get_current_user",
    "updateCurrentUser": "edit_current_user",
    "createPrivateChannel": "open_dm",
    "listPrivateChannels": "get_private_channels",
    "getUserById": "get_user",
    "getUserProfile": "get_user_profile",
    "getCurrentUserApplications": "get_current_application",
}


def bot_relevant() -> set[str]:
    """The operation ids a bot can call, by the classification above."""
    tagged = {name for name, op in OPERATIONS.items() if op["tag"] in BOT_TAGS}
    return (tagged - set(NOT_FOR_BOTS)) | BOT_USERS_OPERATIONS | BOT_OTHER_OPERATIONS


def test_classification_names_real_operations() -> None:
    named = set(NOT_FOR_BOTS) | BOT_USERS_OPERATIONS | BOT_OTHER_OPERATIONS | set(TYPED)
    assert named <= set(OPERATIONS)
    assert all(OPERATIONS[n]["tag"] in BOT_TAGS for n in NOT_FOR_BOTS)
    assert all(OPERATIONS[n]["tag"] == "Users" for n in BOT_USERS_OPERATIONS)


def test_typed_operations_have_their_method() -> None:
    for operation, method in TYPED.items():
        assert callable(getattr(Rest, method, None)), f"{operation}: Rest.{method} missing"
    assert set(TYPED) <= bot_relevant()


def test_coverage_count() -> None:
    relevant = bot_relevant()
    typed = relevant & set(TYPED)
    missing = sorted(relevant - typed)
    print(f"\ntyped {len(typed)} of {len(relevant)} bot-relevant operations; missing: {missing}")
    assert (len(typed), len(relevant)) == (95, 95)
