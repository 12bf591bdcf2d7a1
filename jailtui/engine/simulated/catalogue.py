"""The simulated host's program catalogue: what the jails of each kind run (daemons, jobs
that come and go, their sizes and CPU), and the host's own kernel threads and daemons."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
PAGE = 4096
INF = math.inf



@dataclass(frozen=True, slots=True)
class _Program:
    """One kind of process: what ps(1) shows and what an instance uses on average.

    Sizes in MiB, IO in MiB/s, ``cpu`` in percent of one core. ``key`` names the program for
    its children (``parent``); ``count`` instances start with the jail; instances of a program
    with ``life`` exit after that many seconds and are replaced (php-fpm's pm.max_requests);
    ``since`` says it started at most that long ago (a login session). ``state`` fixes ps's
    STAT for kernel threads. Commands may use ``{port}`` (a client port), ``{i}`` and ``{n}``
    (the instance number from 0 and from 1).
    """

    commands: tuple[str, ...]
    user: str = "root"
    key: str = ""
    parent: str = ""
    count: int = 1
    rss: float = 2.6
    vsz: float = 13.6
    spread: float = 0.15
    nlwp: int = 1
    cpu: float = 0.0
    read: float = 0.0
    write: float = 0.0
    files: int = 64
    data: float = 0.4
    stack: float = 0.0
    pty: int = 0
    flags: str = ""
    life: tuple[float, float] | None = None
    since: float | None = None
    state: str = ""


@dataclass(frozen=True, slots=True)
class _Job:
    """Short-lived processes: one every ``every`` seconds on average, living ``life`` seconds,
    at most ``most`` at once."""

    program: _Program
    every: float
    life: tuple[float, float]
    most: int = 1


@dataclass(frozen=True, slots=True)
class _Kind:
    """A type of jail: its long-running programs, its jobs, and the program that is repeated
    to reach ``processes_per_jail``. ``ppid`` is the parent of top-level processes (init, or
    the swapper for the host's kernel threads); ``wave`` is the swing of its slow load cycle."""

    programs: tuple[_Program, ...]
    jobs: tuple[_Job, ...] = ()
    fill: _Program | None = None
    io_size: int = 16 * KIB
    sysv: Mapping[str, int] = field(default_factory=dict)
    wave: float = 0.35
    ppid: int = 1


def _p(command: str | tuple[str, ...], **kw: object) -> _Program:
    commands = (command,) if isinstance(command, str) else command
    return _Program(commands, **kw)  # type: ignore[arg-type]


SYSLOGD = _p("/usr/sbin/syslogd -ss", key="syslogd", rss=2.8, vsz=13.6, flags="s", files=32)
CRON = _p("/usr/sbin/cron -s", key="cron", rss=2.6, vsz=13.6, flags="s", files=32)
SSHD = _p("sshd: /usr/sbin/sshd [listener] 0 of 10-100 startups (sshd)", key="sshd",
          rss=9.4, vsz=21.0, flags="s")
BASE = (SYSLOGD, CRON, SSHD)
BASE_JOBS = (
    _Job(_p("/usr/libexec/atrun", parent="cron", rss=2.5, cpu=8.0), 300.0, (0.1, 0.8)),
    _Job(_p("/bin/sh /usr/libexec/save-entropy", user="operator", parent="cron", rss=3.1,
            vsz=14.2, cpu=12.0, write=0.1), 660.0, (0.2, 1.2)),
)
LOGIN_SHELL = _p("-sh (sh)", parent="sshd", rss=3.4, vsz=14.3, flags="s+", pty=1)

PORTS = ("devel/cmake-core", "lang/rust", "www/node20", "databases/postgresql16-server",
         "devel/llvm18", "graphics/mesa-dri", "lang/python311", "textproc/libxml2",
         "security/openssl", "editors/vim", "x11-toolkits/gtk30", "multimedia/ffmpeg")
SOURCES = ("src/core/ngx_cycle", "lib/Support/APInt", "Modules/_decimal/libmpdec/mpdecimal",
           "libavcodec/h264dec", "src/backend/optimizer/path/costsize", "crypto/evp/e_aes",
           "src/gallium/drivers/radeonsi/si_state", "gtk/gtkwidget", "src/eval", "parser")
MAKE = _p(tuple(f"/usr/bin/make -C /usr/ports/{origin} build" for origin in PORTS), key="make",
          parent="poudriere", count=4, rss=30.0, vsz=42.0, cpu=1.5, read=0.3, flags="+",
          life=(60.0, 600.0))
CC = _p(tuple(f"cc -O2 -pipe -fstack-protector-strong -fno-strict-aliasing -c {s}.c -o {s}.o"
              for s in SOURCES), parent="make", rss=120.0, vsz=260.0, spread=0.5, cpu=92.0,
        read=14.0, write=2.5, data=60.0, flags="+")
CXX = _p(tuple(f"c++ -O2 -pipe -std=c++17 -fstack-protector-strong -c {s}.cpp -o {s}.o"
               for s in SOURCES), parent="make", rss=380.0, vsz=700.0, spread=0.5, cpu=97.0,
         read=10.0, write=4.0, data=250.0, flags="+")
LD = _p(tuple(f"ld.lld --eh-frame-hdr -dynamic-linker /libexec/ld-elf.so.1 -o {s} {s}.o"
              for s in ("bin/cmake", "bin/node", "bin/clang", "bin/ffmpeg", "bin/postgres")),
        parent="make", rss=520.0, vsz=900.0, spread=0.4, cpu=90.0, read=45.0, write=25.0,
        data=400.0, flags="+")
PKG_CREATE = _p(tuple(f"pkg-static create -r /wrkdirs/usr/ports/{origin}/work/stage -o "
                      f"/packages/All {origin.split('/')[1]}" for origin in PORTS),
                parent="poudriere", rss=24.0, vsz=40.0, cpu=55.0, read=30.0, write=30.0)
FETCH = _p(tuple(f"fetch -o /usr/ports/distfiles https://pkg-mirror.example.org/{origin}.tar.xz"
                 for origin in PORTS), parent="make", rss=9.0, vsz=20.0, cpu=6.0, write=8.0)

PHP_CHILD = _p("php-fpm: pool www (php-fpm)", user="www", parent="php-fpm", count=6, rss=52.0,
               vsz=262.0, spread=0.25, cpu=5.0, read=0.1, data=20.0, life=(120.0, 900.0))
PG_BACKEND = _p(("postgres: app appdb 10.0.0.10({port}) idle (postgres)",
                 "postgres: app appdb 10.0.0.22({port}) idle (postgres)",
                 "postgres: app appdb 10.0.0.10({port}) idle in transaction (postgres)",
                 "postgres: grafana grafana 192.168.10.20({port}) idle (postgres)"),
                user="postgres", parent="postgres", count=20, rss=140.0, vsz=4310.0, spread=0.7,
                cpu=3.0, read=0.6, files=1000, data=8.0, stack=2.0, life=(600.0, 7200.0))
PG_QUERY = _p(("postgres: app appdb 10.0.0.10({port}) SELECT (postgres)",
               "postgres: app appdb 10.0.0.22({port}) UPDATE (postgres)"),
              user="postgres", parent="postgres", rss=70.0, vsz=4310.0, spread=0.6, cpu=25.0,
              read=2.0, write=0.4, files=1000, data=8.0, stack=2.0)
REDIS_EXTRA = _p("/usr/local/bin/redis-server 127.0.0.1:{port} (redis-server)", user="redis",
                 rss=40.0, vsz=80.0, nlwp=4, cpu=0.8, files=10032)
SMTPD = _p("smtpd -n smtp -t inet -u -o stress= -s 2", user="postfix", parent="master", rss=7.5,
           vsz=23.0, cpu=1.5)
GIT_CAT = _p("/usr/local/bin/git -c protocol.version=2 -c credential.helper= cat-file --batch",
             user="git", parent="gitea", rss=8.0, vsz=22.0)
ZABBIX_LISTENER = _p("zabbix_agentd: listener #{n} [waiting for connection] (zabbix_agentd)",
                     user="zabbix", parent="zabbix", count=3, rss=6.0, vsz=21.0, cpu=0.2)

KINDS: dict[str, _Kind] = {
    "www": _Kind(
        BASE + (
            _p("nginx: master process /usr/local/sbin/nginx (nginx)", key="nginx", rss=9.5,
               vsz=26.0, flags="s", files=1024),
            _p("nginx: worker process (nginx)", user="www", parent="nginx", count=4, rss=12.0,
               vsz=28.0, cpu=2.5, read=0.6, write=0.1, files=1024),
            _p("php-fpm: master process (/usr/local/etc/php-fpm.conf) (php-fpm)", key="php-fpm",
               rss=28.0, vsz=240.0, flags="s", cpu=0.1),
            PHP_CHILD),
        BASE_JOBS + (
            _Job(PHP_CHILD, 20.0, (15.0, 90.0), most=4),
            _Job(_p("/usr/local/bin/php -f /usr/local/www/nextcloud/cron.php", user="www",
                    parent="cron", rss=45.0, vsz=250.0, cpu=60.0, read=3.0, write=0.5),
                 300.0, (2.0, 25.0))),
        fill=PHP_CHILD),
    "db": _Kind(
        BASE + (
            _p("/usr/local/bin/postgres -D /var/db/postgres/data16", user="postgres",
               key="postgres", rss=180.0, vsz=4310.0, flags="s", cpu=0.2, files=1000,
               data=30.0),
            _p("postgres: checkpointer (postgres)", user="postgres", parent="postgres",
               rss=640.0, vsz=4310.0, cpu=0.4, write=3.0, files=1000),
            _p("postgres: background writer (postgres)", user="postgres", parent="postgres",
               rss=310.0, vsz=4310.0, cpu=0.3, write=1.0, files=1000),
            _p("postgres: walwriter (postgres)", user="postgres", parent="postgres", rss=28.0,
               vsz=4310.0, cpu=0.3, write=1.5, files=1000),
            _p("postgres: autovacuum launcher (postgres)", user="postgres", parent="postgres",
               rss=12.0, vsz=4310.0, files=1000),
            _p("postgres: logical replication launcher (postgres)", user="postgres",
               parent="postgres", rss=10.0, vsz=4310.0, files=1000),
            PG_BACKEND),
        BASE_JOBS + (
            _Job(PG_QUERY, 6.0, (1.0, 15.0), most=6),
            _Job(_p("postgres: autovacuum worker appdb (postgres)", user="postgres",
                    parent="postgres", rss=90.0, vsz=4310.0, cpu=45.0, read=20.0, write=4.0,
                    files=1000), 60.0, (5.0, 40.0), most=3),
            _Job(_p("pg_dump -Fc -f /var/backups/appdb.dump appdb", user="postgres",
                    parent="cron", rss=40.0, vsz=60.0, cpu=70.0, read=30.0, write=10.0),
                 900.0, (30.0, 120.0))),
        fill=PG_BACKEND, io_size=8 * KIB, sysv={"nshm": 1, "shmsize": 56}, wave=0.45),
    "build": _Kind(
        BASE + (
            _p("/bin/sh /usr/local/bin/poudriere bulk -j 142amd64 -p default -f "
               "/usr/local/etc/poudriere.d/pkglist", key="poudriere", parent="sshd", rss=4.2,
               vsz=14.8, cpu=0.5, flags="+", pty=1, since=6 * 3600.0),
            MAKE),
        BASE_JOBS + (
            _Job(CC, 0.8, (1.0, 14.0), most=3),
            _Job(CXX, 5.0, (4.0, 25.0)),
            _Job(LD, 15.0, (2.0, 10.0)),
            _Job(PKG_CREATE, 40.0, (3.0, 15.0))),
        fill=MAKE, io_size=64 * KIB, wave=0.5),
    "ports": _Kind(
        (SYSLOGD, CRON, _p(MAKE.commands, key="make", count=1, rss=30.0, vsz=42.0, cpu=1.0,
                           life=(60.0, 600.0))),
        BASE_JOBS + (_Job(CC, 3.0, (1.0, 12.0), most=1), _Job(FETCH, 45.0, (2.0, 20.0))),
        fill=_p(MAKE.commands, rss=30.0, vsz=42.0, cpu=1.0), io_size=64 * KIB, wave=0.5),
    "cache": _Kind(
        BASE + (
            _p("/usr/local/bin/redis-server 127.0.0.1:6379 (redis-server)", user="redis",
               key="redis", rss=900.0, vsz=1010.0, nlwp=5, cpu=4.0, write=0.3, files=10032,
               data=600.0),
            _p("/usr/local/bin/memcached -l 10.0.0.14 -p 11211 -m 1024 -c 1024 -t 4 -U 0 -d "
               "-u nobody", user="nobody", rss=340.0, vsz=1100.0, nlwp=10, cpu=2.0,
               files=1024, data=300.0)),
        BASE_JOBS + (
            _Job(_p("redis-rdb-bgsave 127.0.0.1:6379 (redis-server)", user="redis",
                    parent="redis", rss=700.0, vsz=1010.0, cpu=80.0, write=60.0), 300.0,
                 (3.0, 12.0)),),
        fill=REDIS_EXTRA),
    "mail": _Kind(
        BASE + (
            _p("/usr/local/libexec/postfix/master -w", key="master", rss=6.5, vsz=23.0,
               flags="s", cpu=0.05),
            _p("qmgr -l -t unix -u", user="postfix", parent="master", rss=7.0, vsz=23.0),
            _p("pickup -l -t unix -u", user="postfix", parent="master", rss=6.8, vsz=23.0,
               life=(3600.0, 7200.0)),
            _p("tlsmgr -l -t unix -u -c", user="postfix", parent="master", rss=7.4, vsz=23.5),
            _p("anvil -l -t unix -u", user="postfix", parent="master", rss=6.9, vsz=23.0),
            _p("/usr/local/sbin/dovecot", key="dovecot", rss=5.5, vsz=18.0, flags="s"),
            _p("dovecot/anvil", user="dovecot", parent="dovecot", rss=6.0, vsz=19.0),
            _p("dovecot/log", parent="dovecot", rss=5.9, vsz=19.0),
            _p("dovecot/config", parent="dovecot", rss=9.0, vsz=22.0),
            _p("dovecot/stats", user="dovecot", parent="dovecot", rss=7.0, vsz=20.0),
            _p("dovecot/auth", parent="dovecot", rss=8.0, vsz=21.0),
            _p("dovecot/imap-login", user="dovenull", parent="dovecot", count=3, rss=8.5, vsz=22.0,
               cpu=0.2),
            _p("dovecot/imap", user="vmail", parent="dovecot", count=4, rss=9.5, vsz=23.0,
               cpu=0.3, read=0.2, life=(300.0, 3600.0))),
        BASE_JOBS + (
            _Job(SMTPD, 8.0, (5.0, 60.0), most=6),
            _Job(_p("cleanup -z -t unix -u -c", user="postfix", parent="master", rss=7.8, vsz=23.5,
                    cpu=3.0, write=0.2), 15.0, (2.0, 100.0), most=2),
            _Job(_p("smtp -t unix -u", user="postfix", parent="master", rss=8.1, vsz=23.5, cpu=2.0),
                 20.0, (1.0, 30.0), most=3)),
        fill=SMTPD),
    "dns": _Kind(
        BASE + (
            _p("/usr/local/sbin/unbound -c /usr/local/etc/unbound/unbound.conf", user="unbound",
               key="unbound", rss=72.0, vsz=95.0, nlwp=4, cpu=1.5, files=4096, data=40.0),),
        BASE_JOBS + (
            _Job(_p("/usr/local/sbin/unbound-anchor -a /usr/local/etc/unbound/root.key",
                    user="unbound", parent="cron", rss=6.0, vsz=20.0, cpu=20.0), 3600.0,
                 (0.5, 3.0)),),
        fill=LOGIN_SHELL),
    "monitor": _Kind(
        BASE + (
            _p("/usr/local/bin/prometheus --config.file=/usr/local/etc/prometheus.yml "
               "--storage.tsdb.path=/var/db/prometheus --web.listen-address=:9090",
               user="prometheus", rss=420.0, vsz=1520.0, nlwp=14, cpu=6.0, read=0.3,
               write=0.8, files=1024, data=300.0),
            _p("/usr/local/bin/grafana server --homepath /usr/local/share/grafana --config "
               "/usr/local/etc/grafana/grafana.ini", user="grafana", rss=160.0, vsz=1400.0,
               nlwp=16, cpu=1.5, files=1024, data=100.0),
            _p("/usr/local/bin/node_exporter --web.listen-address=:9100", user="nobody",
               rss=21.0, vsz=1240.0, nlwp=6, cpu=0.4),
            _p("/usr/local/sbin/zabbix_agentd -c /usr/local/etc/zabbix64/zabbix_agentd.conf",
               user="zabbix", key="zabbix", rss=6.5, vsz=21.0, flags="s"),
            _p("zabbix_agentd: collector [idle 1 sec] (zabbix_agentd)", user="zabbix",
               parent="zabbix", rss=6.0, vsz=21.0, cpu=0.3),
            ZABBIX_LISTENER),
        BASE_JOBS + (
            _Job(_p(tuple(f"/sbin/ping -c 1 -t 2 10.0.0.{n}" for n in (10, 11, 12, 14, 22, 25)),
                    user="zabbix", parent="zabbix", rss=3.0, vsz=14.0, cpu=1.0), 10.0,
                 (0.5, 2.0), most=2),),
        fill=ZABBIX_LISTENER),
    "git": _Kind(
        BASE + (
            _p("/usr/local/sbin/gitea web", user="git", key="gitea", rss=190.0, vsz=1310.0,
               nlwp=15, cpu=1.5, read=0.2, files=1024, data=120.0),
            _p(GIT_CAT.commands, user="git", parent="gitea", count=2, rss=8.0, vsz=22.0)),
        BASE_JOBS + (
            _Job(_p(tuple(f"/usr/local/bin/git upload-pack --stateless-rpc "
                          f"/var/db/gitea/gitea-repositories/{repo}.git"
                          for repo in ("ops/infra", "web/shop", "ops/ansible", "dev/jailtui")),
                    user="git", parent="gitea", rss=25.0, vsz=40.0, cpu=60.0, read=15.0),
                 20.0, (1.0, 8.0), most=3),),
        fill=GIT_CAT),
    "idle": _Kind(
        (SYSLOGD, CRON),
        BASE_JOBS + (
            _Job(_p("awk $2 ~ /^[/]/ { print $2 } /etc/fstab", parent="cron", rss=2.9, vsz=14.0,
                    cpu=3.0), 120.0, (0.5, 2.0)),),
        fill=LOGIN_SHELL, wave=0.1),
}


def _kernel(name: str, state: str = "DL", nlwp: int = 1, cpu: float = 0.0) -> _Program:
    return _p(f"[{name}]", rss=0.0, vsz=0.0, spread=0.0, nlwp=nlwp, cpu=cpu, files=0, data=0.0,
              state=state)


def _host_kind(ncpu: int) -> tuple[tuple[_Program, ...], _Kind]:
    """The host's kernel processes (pids from 0) and its userland."""
    kernel = (
        _kernel("kernel", "DLs", 900, 1.5),
        _p("/sbin/init", key="init", rss=1.1, vsz=13.4, flags="Ls", files=20),
        _kernel("KTLS", nlwp=ncpu), _kernel("crypto", nlwp=ncpu + 2), _kernel("cam", nlwp=3),
        _kernel("zfskern", nlwp=40, cpu=0.6), _kernel("rand_harvestq"),
        _kernel("pagedaemon", nlwp=3), _kernel("vmdaemon"), _kernel("audit"),
        _kernel("idle", "RNL", ncpu), _kernel("intr", "WL", 60, 0.8),
        _kernel("geom", nlwp=3, cpu=0.3), _kernel("sequencer 00"), _kernel("usb", nlwp=6),
        _kernel("acpi_thermal"), _kernel("bufdaemon", nlwp=2), _kernel("vnlru"),
        _kernel("syncer", cpu=0.05))
    session = 2 * 3600.0
    user = (
        _p("/sbin/devd", parent="init", rss=5.1, vsz=14.6, flags="s"),
        _p("/usr/sbin/syslogd -s", parent="init", rss=3.0, vsz=13.7, flags="s"),
        _p("/usr/local/sbin/smartd -c /usr/local/etc/smartd.conf -p /var/run/smartd.pid",
           parent="init", rss=5.7, vsz=22.3, flags="s"),
        _p("/usr/sbin/ntpd -p /var/db/ntp/ntpd.pid -c /etc/ntp.conf -f /var/db/ntp/ntpd.drift",
           user="ntpd", parent="init", rss=6.0, vsz=23.0, flags="s", cpu=0.05),
        _p(CRON.commands, key="cron", parent="init", flags="s"),
        _p(SSHD.commands, key="sshd", parent="init", rss=9.3, vsz=21.0, flags="s"),
        _p("/usr/libexec/getty Pc ttyv{i}", parent="init", count=8, rss=2.4, vsz=13.5,
           flags="s+"),
        _p("sshd: admin [priv] (sshd)", key="priv", parent="sshd", rss=10.4, vsz=21.4, flags="s",
           since=session),
        _p("sshd: admin@pts/0 (sshd)", key="session", user="admin", parent="priv", rss=10.6,
           vsz=21.4, since=session),
        _p("-sh (sh)", key="login", user="admin", parent="session", rss=3.4, vsz=14.3,
           flags="s", pty=1, since=session),
        _p("su -", key="su", parent="login", rss=3.2, vsz=14.6, since=session / 2),
        _p("-su (sh)", key="rootsh", parent="su", rss=3.4, vsz=14.3, since=session / 2),
        _p("/usr/local/bin/python3.11 /usr/local/bin/jailtui (python3.11)", parent="rootsh",
           rss=58.0, vsz=120.0, nlwp=3, cpu=2.5, flags="+", since=600.0))
    return kernel, _Kind(user, BASE_JOBS, ppid=0, wave=0.1)


# -- the configured jails ------------------------------------------------------------------
