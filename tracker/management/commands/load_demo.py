from django.core.management.base import BaseCommand

from tracker import demo


class Command(BaseCommand):
    help = "Load the demo units, one user per role and the sample gazette (idempotent)."

    def handle(self, *args, **options):
        users = demo.load_units_and_users()
        self.stdout.write(f"演示账号 demo logins (password: {demo.DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<10} {user.get_role_display()}  {user}")
        source, created = demo.load_sample_gazette()
        state = "imported" if created else "already imported"
        self.stdout.write(
            f"示例公报 sample gazette {source.name}: {state}, {source.documents.count()} documents"
        )
