"""The application factory."""

from apiflask import APIFlask
from flask import send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.routing import IntegerConverter

from server import cli, db, health, limits, logs, metrics, pwa, request_log
from server.api import errors, fields, input_checks, register_blueprints, share_page
from server.config import Config
from server.json_provider import OrjsonProvider
from server.proxies import TrustedProxies, parse_networks
from server.services.accounts import Passwords
from server.services.import_sources import register_sources


class DatabaseId(IntegerConverter):
    """An integer id that fits the database's 32-bit key: larger ones are simply not found."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1, **kwargs)


def create_app(config: dict | None = None) -> APIFlask:
    """Create the app from Config, overridden by `config` (tests pass their own)."""
    app = APIFlask(
        "server", title="Pumpwell API", version="1.0",
        spec_path="/api/openapi.json", docs_path="/api/docs", instance_relative_config=True,
    )
    app.json = OrjsonProvider(app)
    app.config.from_object(Config)
    app.config["DOCS_FAVICON"] = "/api/docs/assets/favicon-32x32.png"
    if config:
        app.config.update(config)
    app.security_schemes = {"BearerAuth": {"type": "http", "scheme": "bearer"}}
    # Before any route is added: every <int:...> in a URL is a row id.
    app.url_map.converters["int"] = DatabaseId
    if app.config["TRUSTED_PROXY_HOPS"]:
        # Behind a load balancer, rate limits must count the client's address, not the balancer's.
        trusted = parse_networks(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = TrustedProxies(app.wsgi_app, trusted, app.config["TRUSTED_PROXY_HOPS"])
    app.extensions["passwords"] = Passwords(app.config["ARGON2_MEMORY_KIB"], app.config["ARGON2_TIME_COST"])
    logs.configure(app.config["LOG_FORMAT"])
    # First of the request hooks: a request another hook answers early is logged and counted too.
    request_log.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    app.before_request(errors.require_json_body)
    input_checks.init_app(app)
    register_blueprints(app)
    # The process's one registry of import sources; the Baby Buddy server reader takes this app's network setting.
    register_sources(app.config["IMPORT_ALLOW_PRIVATE_HOSTS"])
    fields.make_body_scalars_strict(app)
    pwa.init_app(app)
    share_page.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    app.register_blueprint(health.bp)
    metrics.init_app(app)

    @app.get("/api/docs/assets/<path:name>")
    @app.doc(hide=True)
    def docs_asset(name):
        """Serve Swagger UI from the pinned swagger-ui-bundle package, not a CDN."""
        return send_from_directory(str(swagger_ui_path), name)

    return app
