"""Run docs/nginx.conf, the documented proxy, on this machine: on loopback ports, with a self-signed certificate.

Used by bench/keepalive.py and tests/test_proxy_setup.py. Only the listening ports, the upstream's port and the
certificate's paths are changed; every other line is the file operators copy.
"""

import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "nginx.conf"

# Debian's /etc/nginx/nginx.conf, cut to what the site's file relies on, with everything kept inside `folder`.
MAIN = """\
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/pumpwell.conf;
}}
"""


def nginx() -> str | None:
    """Return the nginx binary's path, or None when it is not installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for pumpwell.example and 127.0.0.1; return its and its key's paths."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pumpwell.example")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("pumpwell.example"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def site_config(https_port: int, http_port: int, upstream_port: int, cert: Path, key: Path) -> str:
    """Return docs/nginx.conf with loopback ports, the given upstream port and certificate: nothing else changed."""
    text = CONFIG.read_text()
    replacements = [
        (r"server 127\.0\.0\.1:5000\b", f"server 127.0.0.1:{upstream_port}"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise ValueError(f"docs/nginx.conf should have exactly one {pattern!r}, it has {count}")
    return text


def write_config(folder: Path, https_port: int, http_port: int, upstream_port: int) -> Path:
    """Write a runnable main config around the site's into `folder`; return the main config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(folder)
    (folder / "pumpwell.conf").write_text(site_config(https_port, http_port, upstream_port, cert, key))
    main = folder / "nginx.conf"
    main.write_text(MAIN.format(folder=folder))
    return main


def check(main: Path) -> subprocess.CompletedProcess:
    """Run `nginx -t` on the config; return the finished process (its stderr says what is wrong)."""
    return subprocess.run([nginx(), "-t", "-q", "-p", str(main.parent), "-e", str(main.parent / "error.log"),
                           "-c", str(main)], capture_output=True, text=True)


def start(main: Path, port: int) -> subprocess.Popen:
    """Start nginx in the foreground on the config and wait until it accepts on `port`."""
    import socket

    process = subprocess.Popen([nginx(), "-p", str(main.parent), "-e", str(main.parent / "error.log"),
                                "-c", str(main), "-g", "daemon off;"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(main.parent / 'error.log').read_text()}")
