"""Contract tests against the field tables of Fluxer's official API schemas.

For each key schema of ``tests/data/fluxer-api-digest.json``: every digest field exists in
our model under its wire name with a compatible type; the fields our model requires are
digest-required and identifying; and hypothesis-generated payloads (required fields present,
optional ones present or absent, null where allowed, plus unknown keys) decode to a model
holding exactly the values sent.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxer_rx import models as m
from fluxer_rx.models import decode_event
from fluxer_rx.rest import request_bodies as rb
from fluxer_rx.rest import responses as rr

DIGEST = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "fluxer-api-digest.json").read_text("utf-8")
)
SCHEMAS: dict[str, Any] = DIGEST["schemas"]
ENUMS: dict[str, Any] = DIGEST["enum_details"]
ALIASES: dict[str, Any] = DIGEST["aliases"]

MODEL_FOR: dict[str, type[msgspec.Struct]] = {
    "UserPartialResponse": m.PartialUser,
    "UserPrivateResponse": m.PrivateUser,
    "UserPrivateResponsePendingBulkMessageDeletion": m.PendingBulkMessageDeletion,
    "GuildResponse": m.Guild,
    "ChannelResponse": m.Channel,
    "ChannelOverwriteResponse": m.PermissionOverwrite,
    "GuildMemberResponse": m.Member,
    "GuildRoleResponse": m.Role,
    "GuildEmojiResponse": m.Emoji,
    "GuildStickerResponse": m.Sticker,
    "MessageResponseSchema": m.Message,
    "MessageResponseSchemaReferencedMessage": m.Message,
    "MessageResponseSchemaMessageReference": m.MessageReference,
    "MessageResponseSchemaReferencedMessageMessageReference": m.MessageReference,
    "MessageResponseSchemaCall": m.MessageCall,
    "MessageResponseSchemaReferencedMessageCall": m.MessageCall,
    "MessageAttachmentResponse": m.Attachment,
    "MessageEmbedResponse": m.Embed,
    "MessageEmbedChildResponse": m.Embed,
    "EmbedAuthorResponse": m.EmbedAuthor,
    "EmbedFieldResponse": m.EmbedField,
    "EmbedFooterResponse": m.EmbedFooter,
    "EmbedMediaResponse": m.EmbedMedia,
    "MessageStickerResponse": m.MessageSticker,
    "MessageChannelMentionResponse": m.ChannelMention,
    "MessageSnapshotResponse": m.MessageSnapshot,
    "MessageReactionResponse": m.Reaction,
    "MessageReactionResponseEmoji": m.PartialEmoji,
    "GatewayBotResponse": m.GatewayBot,
    "GatewayBotResponseSessionStartLimit": m.SessionStartLimit,
    "RtcRegionResponse": m.RtcRegion,
    "CustomStatusResponse": m.CustomStatus,
    # REST-only responses of the bot endpoints (fluxer_rx.rest.responses)
    "InviteMetadataResponseSchemaGuildInviteMetadataResponse": rr.Invite,
    "InviteResponseSchemaGuildInviteResponse": rr.Invite,
    "GuildInviteMetadataResponseGuild": rr.InviteGuild,
    "GuildInviteResponseGuild": rr.InviteGuild,
    "ChannelPartialResponse": rr.InviteChannel,
    "ChannelPartialResponseRecipients": rr.InviteRecipient,
    "WebhookResponse": rr.Webhook,
    "WebhookTokenResponse": rr.Webhook,
    "GuildAuditLogListResponse": rr.AuditLog,
    "GuildAuditLogEntryResponse": rr.AuditLogEntry,
    "GuildAuditLogEntryResponseOptions": rr.AuditLogEntryOptions,
    "AuditLogChangeSchema": rr.AuditLogChange,
    "AuditLogWebhookResponse": rr.AuditLogWebhook,
    "ApplicationsMeResponse": rr.Application,
    "ApplicationsMeResponseBot": rr.ApplicationBot,
    "ApplicationsMeResponseOwner": m.PartialUser,
    "GuildEmojiWithUserResponse": m.Emoji,
    "GuildStickerWithUserResponse": m.Sticker,
    "GuildMemberSearchResponse": rr.MemberSearch,
    "GuildMemberSearchResult": rr.MemberSearchResult,
    "GuildMemberSearchResultSupplemental": rr.MemberSearchSupplemental,
    "ChannelSlowmodeStateResponse": rr.SlowmodeState,
    "GuildVanityUrlResponse": rr.VanityUrl,
    "GuildVanityUrlUpdateResponse": rr.VanityUrl,
    "GuildEmojiMetadataResponse": rr.ExpressionMetadata,
    "GuildStickerMetadataResponse": rr.ExpressionMetadata,
    "GuildEmojiBulkCreateResponse": rr.EmojiBulkCreate,
    "GuildEmojiBulkCreateResponseFailed": rr.BulkCreateFailure,
    "GuildStickerBulkCreateResponse": rr.StickerBulkCreate,
    "GuildStickerBulkCreateResponseFailed": rr.BulkCreateFailure,
}

# Request bodies (fluxer_rx.rest.request_bodies): every field we send is a digest field of
# one of the model's schemas with a compatible type, and a field the digest requires is
# always sent (required in ours, or a default that is not UNSET).
REQUEST_MODEL_FOR: dict[str, type[msgspec.Struct]] = {
    "CreatePrivateChannelRequest": rb.PrivateChannelRecipient,
    "GuildMemberUpdateRequest": rb.MemberEdit,
    "GuildRoleCreateRequest": rb.NewRole,
    "GuildRoleUpdateRequest": rb.RoleEdit,
    "GuildRolePositionsRequestItem": rb.RolePosition,
    "PermissionOverwriteCreateRequest": rb.OverwriteEdit,
    "GuildTextChannelCreateRequestPermissionOverwrites": rb.ChannelOverwrite,
    "ChannelCreateRequest0": rb.NewChannel,
    "ChannelPositionUpdateRequestItem": rb.ChannelPosition,
    "GuildUpdateRequest": rb.GuildEdit,
    "UserUpdateWithVerificationRequest": rb.CurrentUserEdit,
    "ChannelInviteCreateRequest": rb.InviteOptions,
    "WebhookCreateRequest": rb.NewWebhook,
    "WebhookUpdateRequest": rb.WebhookEdit,
    "WebhookTokenUpdateRequest": rb.WebhookTokenEdit,
    "GuildEmojiCreateRequest": rb.NewEmoji,
    "GuildEmojiUpdateRequest": rb.EmojiEdit,
    "GuildStickerCreateRequest": rb.NewSticker,
    "GuildStickerUpdateRequest": rb.StickerEdit,
    "MyGuildMemberUpdateRequest": rb.CurrentMemberEdit,
    "GuildMemberSearchRequest": rb.MemberSearchQuery,
    "GuildRoleHoistPositionsRequestItem": rb.RoleHoistPosition,
    "GuildEmojiBulkCreateRequest": rb.NewEmojis,
    "GuildStickerBulkCreateRequest": rb.NewStickers,
    "GuildEmojiCloneRequest": rb.EmojiClone,
    "GuildStickerCloneRequest": rb.StickerClone,
}

ALL_MODELS: dict[str, type[msgspec.Struct]] = {**MODEL_FOR, **REQUEST_MODEL_FOR}

KEY_SCHEMAS = [
    "UserPartialResponse",
    "GuildResponse",
    "ChannelResponse",
    "GuildMemberResponse",
    "GuildRoleResponse",
    "GuildEmojiResponse",
    "MessageResponseSchema",
    "MessageAttachmentResponse",
    "MessageEmbedResponse",
    "MessageResponseSchemaMessageReference",
    "MessageReactionResponse",
    "GatewayBotResponse",
]

# Fields a model may require: the ones that identify the object or without which it is
# meaningless. Everything else must default, because real payloads omit it.
IDENTIFYING = {"id", "channel_id", "author", "emoji", "url", "code"}

_PRIMITIVES: dict[str, type] = {
    "String": str,
    "DateTime": str,
    "int": int,
    "bool": bool,
    "num": float,
    "double": float,
}


def _resolve(name: str) -> tuple[str, Any]:
    """Classify a digest type name: ('primitive', py type) | ('object', schema) |
    ('list', element) | ('map', value)."""
    name = name.removesuffix("?")
    if name == "dynamic":
        return ("primitive", Any)
    if name.startswith("List<"):
        return ("list", name[5:-1])
    if name.startswith("Map<"):
        key, value = name[4:-1].split(",", 1)
        assert key.strip() == "String"
        return ("map", value.strip())
    if name in _PRIMITIVES:
        return ("primitive", _PRIMITIVES[name])
    if name in ENUMS:
        value_type = ENUMS[name]["value_type"]
        return ("primitive", {"int": int, "string": str, "bool": bool}[value_type])
    if name in ALIASES:
        return _resolve(ALIASES[name]["type"])
    if name in SCHEMAS:
        return ("object", name)
    raise AssertionError(f"unknown digest type {name}")


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    """Our annotation without None/UNSET, and whether it admits null."""
    if tp is Any:  # a "dynamic" value: any JSON, null included
        return (tp, True)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a not in (type(None), msgspec.UnsetType)]
        nullable = type(None) in typing.get_args(tp)
        return (args[0] if len(args) == 1 else typing.Union[tuple(args)], nullable)  # noqa: UP007  # building a Union at runtime
    return (tp, False)


def _compatible(digest_type: str, ours: Any) -> bool:
    kind, target = _resolve(digest_type)
    if kind == "primitive":
        if target is float:
            return ours in (float, int)
        return bool(ours is target)
    if kind == "object":
        return isinstance(ours, type) and issubclass(ours, ALL_MODELS[target])
    if kind == "list":  # JSON arrays are tuple[T, ...] (see fluxer_rx.models.base)
        args = typing.get_args(ours)
        return (
            typing.get_origin(ours) is tuple
            and len(args) == 2
            and args[1] is Ellipsis
            and _compatible(target, args[0])
        )
    key_type, value_type = typing.get_args(ours) if typing.get_origin(ours) is dict else (0, 0)
    return key_type is str and _compatible(target, value_type)


def _digest_type(field: dict[str, Any]) -> str:
    if field["kind"] == "enum":
        return str(field["type"])
    return str(field.get("base_type", field["type"]))


@pytest.mark.parametrize("schema", sorted(MODEL_FOR))
def test_every_digest_field_exists_with_a_compatible_type(schema: str) -> None:
    model = MODEL_FOR[schema]
    ours = {f.encode_name: f for f in msgspec.structs.fields(model)}
    for name, field in SCHEMAS[schema]["fields"].items():
        assert name in ours, f"{model.__name__} lacks {schema}.{name}"
        tp, nullable = _strip_optional(ours[name].type)
        assert _compatible(_digest_type(field), tp), (
            f"{model.__name__}.{name}: {tp} vs {_digest_type(field)}"
        )
        if field["nullable"] or not field["required"]:
            assert nullable, f"{model.__name__}.{name} must accept null"


@pytest.mark.parametrize("schema", sorted(MODEL_FOR))
def test_required_fields_are_digest_required_and_identifying(schema: str) -> None:
    model = MODEL_FOR[schema]
    digest_required = {n for n, f in SCHEMAS[schema]["fields"].items() if f["required"]}
    ours = {f.encode_name for f in msgspec.structs.fields(model) if f.required}
    assert ours <= digest_required
    assert ours <= IDENTIFYING


@pytest.mark.parametrize("schema", sorted(REQUEST_MODEL_FOR))
def test_request_bodies_send_only_digest_fields_and_always_the_required(schema: str) -> None:
    model = REQUEST_MODEL_FOR[schema]
    digest = SCHEMAS[schema]["fields"]
    union = {
        n for s, cls in REQUEST_MODEL_FOR.items() if cls is model for n in SCHEMAS[s]["fields"]
    }
    for f in msgspec.structs.fields(model):
        assert f.encode_name in union, f"{model.__name__}.{f.name} is not in the digest"
        if f.encode_name not in digest:
            continue
        field = digest[f.encode_name]
        tp, nullable = _strip_optional(f.type)
        assert _compatible(_digest_type(field), tp), f"{model.__name__}.{f.name}"
        if field["required"]:
            assert f.required or f.default is not msgspec.UNSET, f"{model.__name__}.{f.name}"
        if field["nullable"]:
            assert nullable, f"{model.__name__}.{f.name} must accept null"


def test_key_schemas_are_covered() -> None:
    assert set(KEY_SCHEMAS) <= set(MODEL_FOR)


# --- generated payloads ----------------------------------------------------------------

_ids = st.integers(min_value=0, max_value=2**63 - 1).map(str)
_text = st.text(max_size=12)
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


def _value(digest_type: str, depth: int) -> st.SearchStrategy[Any]:
    kind, target = _resolve(digest_type)
    if kind == "primitive":
        if digest_type.removesuffix("?") in ENUMS:
            return st.sampled_from(DIGEST["enums"][digest_type.removesuffix("?")])
        if target is str:
            return _ids | _text | st.just("2026-01-08T12:00:00.000000+00:00")
        if target is int:
            return st.integers(min_value=-(2**31), max_value=2**53)
        if target is float:
            return st.floats(allow_nan=False, allow_infinity=False)
        return st.booleans()
    if kind == "object":
        return _payload(target, depth + 1)
    if kind == "list":
        return st.lists(_value(target, depth + 1), max_size=max(0, 2 - depth))
    return st.dictionaries(_text, _value(target, depth + 1), max_size=2)


@functools.cache
def _payload(schema: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    # nested objects carry optional fields only near the top: keeps examples small and fast
    fields = SCHEMAS[schema]["fields"]
    known = set(fields)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in fields.items():
        value = _value(_digest_type(field), depth)
        if field["required"]:
            required[name] = st.none() | value if field["nullable"] else value
        elif depth < 2:
            optional[name] = st.none() | value
    extra = st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in known), _json, max_size=3
    )
    return st.builds(
        lambda req, opt, unknown: {**unknown, **req, **opt},
        st.fixed_dictionaries(required),
        st.fixed_dictionaries({}, optional=optional),
        extra,
    )


def _assert_holds(decoded: Any, sent: Any, where: str) -> None:
    """``decoded`` carries every value of ``sent`` that our model knows about."""
    if isinstance(decoded, msgspec.Struct):
        assert isinstance(sent, dict), where
        names = {f.encode_name: f.name for f in msgspec.structs.fields(decoded)}
        for key, value in sent.items():
            if key in names:
                _assert_holds(getattr(decoded, names[key]), value, f"{where}.{key}")
    elif isinstance(decoded, tuple | list):  # typed arrays are tuples; inside Any, lists
        assert isinstance(sent, list) and len(decoded) == len(sent), where
        for i, (a, b) in enumerate(zip(decoded, sent, strict=True)):
            _assert_holds(a, b, f"{where}[{i}]")
    elif isinstance(decoded, dict):
        assert decoded.keys() == sent.keys(), where
        for key in decoded:
            _assert_holds(decoded[key], sent[key], f"{where}.{key}")
    else:
        assert (decoded == sent and type(decoded) is type(sent)) or (
            isinstance(decoded, float) and isinstance(sent, int) and decoded == sent
        ), f"{where}: {decoded!r} != {sent!r}"


_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("schema", KEY_SCHEMAS)
def test_generated_payloads_decode(schema: str) -> None:
    model = MODEL_FOR[schema]
    decoder = msgspec.json.Decoder(model)

    @_SETTINGS
    @given(_payload(schema))
    def check(payload: dict[str, Any]) -> None:
        decoded = decoder.decode(json.dumps(payload))
        _assert_holds(decoded, payload, "$")

    check()


@_SETTINGS
@given(
    _payload("MessageResponseSchema"),
    st.none() | _ids,
    st.none() | _payload("GuildMemberResponse"),
    st.sampled_from([0, 1, 3]),
)
def test_generated_message_create_decodes_flat(
    message: dict[str, Any], guild_id: str | None, member: Any, channel_type: int
) -> None:
    payload = {**message, "guild_id": guild_id, "member": member, "channel_type": channel_type}
    event = decode_event("MESSAGE_CREATE", json.dumps(payload).encode())
    assert isinstance(event, m.MessageCreate)
    _assert_holds(event, payload, "$")


@_SETTINGS
@given(_payload("GuildResponse"), st.lists(_payload("GuildRoleResponse"), max_size=2))
def test_generated_guild_create_flattens_properties(
    guild: dict[str, Any], roles: list[dict[str, Any]]
) -> None:
    payload = {"id": guild["id"], "properties": guild, "roles": roles, "member_count": 3}
    event = decode_event("GUILD_CREATE", json.dumps(payload).encode())
    assert isinstance(event, m.GuildCreate)
    # the top-level copies of roles and member_count win over those inside properties
    flat = {k: v for k, v in guild.items() if k not in ("roles", "member_count")}
    _assert_holds(event, flat, "$")
    assert [r.id for r in event.roles or []] == [r["id"] for r in roles]
    assert event.member_count == 3
    assert event.unavailable is False


def test_wire_names_are_attribute_names() -> None:
    for model in set(ALL_MODELS.values()):
        for f in msgspec.structs.fields(model):
            assert f.encode_name == f.name
            assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name)
