"""Demo data for a first run: a handful of units, one user per role, a sample gazette."""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from tracker.models import Unit, UnitAlias, User

SAMPLE_GAZETTE = Path(settings.BASE_DIR) / "fixtures" / "sample_gazette.txt"
DEMO_PASSWORD = "duban-demo-2025"

UNITS = [
    # name, short name, kind, aliases
    ("区发展和改革局", "区发改局", Unit.Kind.CITY_DEPARTMENT, ["区发改局"]),
    ("区财政局", "", Unit.Kind.CITY_DEPARTMENT, []),
    ("区教育局", "", Unit.Kind.CITY_DEPARTMENT, []),
    ("区住房和城乡建设局", "区住建局", Unit.Kind.CITY_DEPARTMENT, ["区住建局"]),
    ("区城市管理局", "区城管局", Unit.Kind.CITY_DEPARTMENT, ["区城管局"]),
    ("区人民政府督查室", "区督查室", Unit.Kind.OTHER, ["区政府督查室"]),
    ("东城街道办事处", "东城街道", Unit.Kind.TOWN, ["东城街道"]),
]

USERS = [
    # username, display name, role, unit name (or None)
    ("admin", "系统管理员", User.Role.ADMIN, None),
    ("duchashi", "督查室 张敏", User.Role.SUPERVISOR, "区人民政府督查室"),
    ("lingdao", "周海涛", User.Role.LEADER, None),
    ("fgj_head", "区发改局 负责人 陈立新", User.Role.UNIT_HEAD, "区发展和改革局"),
    ("fgj_staff", "区发改局 刘晓燕", User.Role.STAFF, "区发展和改革局"),
    ("jyj_staff", "区教育局 何琳", User.Role.STAFF, "区教育局"),
]


@transaction.atomic
def load_units_and_users():
    """Create the demo units and users; running it again changes nothing."""
    units = {}
    for name, short, kind, aliases in UNITS:
        unit, _ = Unit.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind}
        )
        for alias in aliases:
            UnitAlias.objects.get_or_create(name=alias, defaults={"unit": unit})
        units[name] = unit
    users = []
    for username, display, role, unit_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display,
                "role": role,
                "unit": units.get(unit_name),
                "email": f"{username}@example.gov.cn",
                "is_staff": role == User.Role.ADMIN,
                "is_superuser": role == User.Role.ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return users


def load_sample_gazette():
    """Import fixtures/sample_gazette.txt through the import service, as the office would.

    Returns (source file, created). A second run recognises the file by its SHA-256 and
    changes nothing.
    """
    from tracker.imports import jobs

    data = SAMPLE_GAZETTE.read_bytes()
    existing = jobs.already_imported(data)
    if existing:
        return existing, False
    office = User.objects.filter(role=User.Role.SUPERVISOR).order_by("pk").first()
    job = jobs.import_now(office, SAMPLE_GAZETTE.name, data)
    return job.source_file, True
