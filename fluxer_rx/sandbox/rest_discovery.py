"""Bodies of the sandbox's discovery routes: gateway/bot, instance, .well-known/fluxer.

They describe the sandbox itself: every endpoint points at its own origin (``api`` at
``<origin>/v1``, ``gateway`` at its ``ws://`` URL without a query string) and every
optional service (captcha, SSO, payments, GIFs, push) is off. ``/instance`` has the
[S] shape (``endpoints.cdn``); ``/.well-known/fluxer`` has the [N] shape checked against
``WellKnownFluxerResponse`` (``endpoints.static_cdn`` plus ``gif``, ``sso``, ``limits``...).
"""

from __future__ import annotations

from typing import Any

from fluxer_rx.sandbox.rest_bodies import MAX_CONTENT, MAX_FILE_SIZE, MAX_FILES

__all__ = ["gateway_bot_body", "instance_body", "well_known_body"]

Json = dict[str, Any]


def gateway_bot_body(gateway_url: str) -> Json:
    """``GET /gateway/bot``: the URL plus the real server's hard-coded values."""
    return {
        "url": gateway_url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": 1,
        },
    }


def _endpoints(origin: str, gateway_url: str, cdn_key: str) -> Json:
    return {
        "api": f"{origin}/v1",
        "api_client": f"{origin}/v1",
        "api_public": f"{origin}/v1",
        "gateway": gateway_url,
        "media": origin,
        cdn_key: origin,
        "marketing": origin,
        "admin": origin,
        "invite": origin,
        "gift": origin,
        "webapp": origin,
    }


_CAPTCHA: Json = {"provider": "none", "hcaptcha_site_key": None, "turnstile_site_key": None}


def instance_body(origin: str, gateway_url: str) -> Json:
    """``GET /instance`` ([S] shape)."""
    return {
        "api_code_version": 1,
        "endpoints": _endpoints(origin, gateway_url, "cdn"),
        "captcha": dict(_CAPTCHA),
        "features": {
            "sms_mfa_enabled": False,
            "voice_enabled": False,
            "stripe_enabled": False,
            "self_hosted": True,
        },
        "push": {"public_vapid_key": None},
    }


def well_known_body(origin: str, gateway_url: str) -> Json:
    """``GET /.well-known/fluxer`` ([N] shape); ``limits`` publishes the upload limits."""
    return {
        "api_code_version": 1,
        "endpoints": _endpoints(origin, gateway_url, "static_cdn"),
        "captcha": dict(_CAPTCHA),
        "features": {
            "voice_enabled": False,
            "stripe_enabled": False,
            "self_hosted": True,
            "presigned_attachment_uploads": False,
            "emails_enabled": False,
        },
        "gif": {"provider": "none", "display_name": "None", "attribution_required": False},
        "sso": {"enabled": False, "enforced": False, "display_name": None, "redirect_uri": ""},
        "registration": {"mode": "closed", "admin_registration_urls_enabled": False},
        "community": {
            "single_community": False,
            "single_community_guild_id": None,
            "direct_messages_disabled": False,
        },
        "services": {"gif_enabled": False, "youtube_enabled": False, "bluesky_enabled": False},
        "limits": {
            "version": 2,
            "traitDefinitions": [],
            "rules": [
                {
                    "id": "default",
                    "overrides": {
                        "max_attachments_per_message": MAX_FILES,
                        "max_attachment_file_size": MAX_FILE_SIZE,
                        "max_message_length": MAX_CONTENT,
                    },
                }
            ],
            "defaultsHash": "sandbox",
        },
        "push": {"public_vapid_key": None},
        "app_public": {
            "branding": {
                "product_name": "Fluxer sandbox",
                "icon_url": None,
                "symbol_url": None,
                "logo_url": None,
                "wordmark_url": None,
                "favicon_url": None,
                "theme_color": None,
            },
            "setup": {"configured": True, "admin_url": None},
            "legal": {"terms_url": None, "privacy_url": None},
            "registration": {"collect_date_of_birth": False},
        },
    }
