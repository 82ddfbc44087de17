from django import template

from ratings import stats

register = template.Library()


@register.filter
def percent(value, digits=0):
    """0.523 → "52%" (or "52.3%" with one digit); empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def signed(value, digits=1):
    """12.345 → "+12.3", -4 → "−4.0"; empty for None."""
    if value is None or value == "":
        return ""
    return stats.signed(float(value), int(digits))
