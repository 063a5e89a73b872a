"""Typed endpoint groups that :class:`~fluxer_rx.rest.Rest` mixes in, one module each.

* :mod:`.account`: the bot's own user, guilds, application and DMs;
* :mod:`.members`: kick, edit (nick, roles, timeout), add/remove a role;
* :mod:`.roles`: create, edit, delete, reorder roles;
* :mod:`.guild_channels`: create and reorder channels, permission overwrites;
* :mod:`.guilds`: edit the guild, its audit log, bans page by page;
* :mod:`.history`: channel history as an async iterator over pages;
* :mod:`.channels`: reaction users page by page, attachment removal, slowmode state, RTC
  regions;
* :mod:`.invites`, :mod:`.webhooks`, :mod:`.expressions` (emojis and stickers).

Every group is an :class:`~fluxer_rx.rest.endpoints.base.Endpoints` (a
:class:`~fluxer_rx.rest.requester.Requester`); their methods share its plumbing.
"""

from __future__ import annotations

from fluxer_rx.rest.endpoints.account import AccountEndpoints
from fluxer_rx.rest.endpoints.channels import ChannelEndpoints
from fluxer_rx.rest.endpoints.expressions import ExpressionEndpoints
from fluxer_rx.rest.endpoints.guild_channels import GuildChannelEndpoints
from fluxer_rx.rest.endpoints.guilds import GuildEndpoints
from fluxer_rx.rest.endpoints.history import HistoryEndpoints
from fluxer_rx.rest.endpoints.invites import InviteEndpoints
from fluxer_rx.rest.endpoints.members import MemberEndpoints
from fluxer_rx.rest.endpoints.roles import RoleEndpoints
from fluxer_rx.rest.endpoints.webhooks import WebhookEndpoints

__all__ = [
    "AccountEndpoints",
    "ChannelEndpoints",
    "ExpressionEndpoints",
    "GuildChannelEndpoints",
    "GuildEndpoints",
    "HistoryEndpoints",
    "InviteEndpoints",
    "MemberEndpoints",
    "RoleEndpoints",
    "WebhookEndpoints",
]
