"""The Telegram bot process (`python -m bots.telegram`); see ../shared/ARCHITECTURE.md."""
