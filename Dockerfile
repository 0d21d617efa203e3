# One image for every process: web, bot, worker, beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MODELS_DIR=/app/models

# DejaVu draws Cyrillic on the placeholder pictures of personas that arrive without one.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The offline default models live in the image (not in the var volume), converted once at build time.
RUN DJANGO_ENV_FILE="" VAR_DIR=/tmp/build-var python manage.py llm_install --default && rm -rf /tmp/build-var
# Static files are collected at build time with throw-away secrets; the real ones arrive at run time.
RUN DJANGO_ENV=production DJANGO_ENV_FILE="" DJANGO_ALLOWED_HOSTS=build \
    SECRET_KEY="$(python -c 'from django.core.management.utils import get_random_secret_key as g; print(g())')" \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
 && useradd --create-home --uid 10001 sputnik \
 && mkdir -p /app/var \
 && chown sputnik /app/var

USER sputnik
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
