"""Production: every security setting on; secrets and hosts must come from the environment.

Refuses to start with DJANGO_DEBUG on or with any development key: a published key lets anyone
forge sessions (DJANGO_SECRET_KEY), rewrite the audit trail (AUDIT_HMAC_KEY) or read encrypted
phones and e-mails (FIELD_ENCRYPTION_KEY).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AUDIT_HMAC_KEY,
    DEV_AUDIT_HMAC_KEY,
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_SECRET_KEY,
    FIELD_ENCRYPTION_KEY,
    SECRET_KEY,
    SECRET_KEY_FALLBACKS,
    TRUST_X_FORWARDED_PROTO,
    env,
)

if env.bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured("生产环境不能开启 DJANGO_DEBUG：请删除该变量或设为 false。")
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY 是开发用密钥或过短：生产环境必须设置至少 40 个字符的随机密钥。"
    )
for fallback in SECRET_KEY_FALLBACKS:
    if fallback == DEV_SECRET_KEY or len(fallback) < 40:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY_FALLBACKS 中有开发用密钥或过短的密钥：旧密钥同样能签发会话，"
            "每个都必须是至少 40 个字符的随机密钥。"
        )
if AUDIT_HMAC_KEY == DEV_AUDIT_HMAC_KEY:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY 是开发用密钥：生产环境必须设置独立的随机密钥。")
if FIELD_ENCRYPTION_KEY == DEV_FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 是开发用密钥：生产环境必须设置独立的随机密钥。")

DEBUG = False
DEPLOYMENT = "production"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Only a reverse proxy that sets X-Forwarded-Proto itself (and strips the client's) may be believed;
# without one, any client could claim HTTPS.
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# The second factor is not optional in production, whatever a settings override says.
if not {
    "ministry_admin",
    "authority_reviewer",
    "expert",
    "system_admin",
    "security_admin",
    "audit_admin",
} <= set(
    OTP_REQUIRED_ROLES  # noqa: F405
):
    raise ImproperlyConfigured("生产环境必须对部级、省级、专家和三员角色启用两步验证。")
