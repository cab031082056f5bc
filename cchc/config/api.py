"""The one API of the product (Django Ninja); each app adds its router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="CCHC API", version="1", urls_namespace="api")
api.add_router("/units/", "cchc.units.api.router")
api.add_router("/dossiers", "cchc.dossiers.api.router")
api.add_router("/assessments/", "cchc.assessments.api.router")
