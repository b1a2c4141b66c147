"""Text for CSS: the print header and footer in `theme_overrides/main.html`.

Kept free of imports so the benchmark's plain-Markdown floor can use it too.
"""


def css_string(text: str) -> str:
    """Text as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;/-_()&'@·|" else f"\\{ord(c):x} " for c in str(text))
    return f'"{escaped}"'
