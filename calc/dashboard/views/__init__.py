"""Dashboard tabs: each module has ``render(ctx: Context) -> None``, listed in ``app.TABS``."""
