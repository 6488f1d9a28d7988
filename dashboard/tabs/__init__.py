"""Dashboard tabs: each module has ``render(ctx: Context) -> None`` and is listed in ``app.TABS``."""
