"""The time zones a person would choose: IANA's zones of places, plus UTC; old names lead to today's.

zoneinfo loads any file under its folders, so it also takes `localtime`, `Factory`, `EST5EDT` or `GMT+0`, and has
no table of which name is another's alias. The tzdata package ships both lists, read here once at import:
zone.tab and zone1970.tab name every zone of a place, and tzdata.zi's "L target alias" lines the renamed ones.
"""

from importlib.resources import files

_DATA = files("tzdata") / "zoneinfo"


def _tab_zones(name: str) -> set[str]:
    """Return the zone names (third column) of a .tab file."""
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[2] for line in lines if line and not line.startswith("#")}


def _links() -> dict[str, str]:
    """Return {alias: target} from tzdata.zi's "L target alias" lines."""
    lines = (_DATA / "tzdata.zi").read_text(encoding="utf-8").splitlines()
    return {alias: target for _, target, alias in (line.split() for line in lines if line.startswith("L "))}


def _canonical_names() -> dict[str, str]:
    """Map every name a parent may send to the zone stored: each zone to itself, each alias of a place to its zone."""
    zones = _tab_zones("zone.tab") | _tab_zones("zone1970.tab") | {"UTC"}
    links = _links()
    names = {zone: zone for zone in zones}
    for alias in links:
        target = alias
        while target in links and target not in zones:
            target = links[target]
        # Only an Area/Place alias (Asia/Calcutta, US/Eastern): never a rule's name such as EST5EDT, UCT or GMT+0.
        if "/" in alias and not alias.startswith("Etc/") and target in zones:
            names.setdefault(alias, target)
    # Some browsers name UTC so.
    names["Etc/UTC"] = "UTC"
    return names


CANONICAL = _canonical_names()


def canonical_zone(name: str) -> str | None:
    """Return the zone to store for a name a parent sent (Asia/Calcutta gives Asia/Kolkata), or None if refused."""
    return CANONICAL.get(name)
