"""Minimal IMAP4rev1 and POP3 servers on loopback for the bounce mailbox tests.

They implement what a mail client needs to read and delete messages (and what
``imaplib``/``poplib`` send): IMAP ``CAPABILITY``, ``LOGIN``, ``SELECT``, ``SEARCH``
(``ALL``/``UNSEEN``), ``FETCH`` (``BODY.PEEK[]``, ``RFC822``), ``STORE +FLAGS``,
``EXPUNGE``, ``CLOSE``, ``NOOP``, ``LOGOUT``; POP3 ``CAPA``, ``USER``, ``PASS``,
``STAT``, ``LIST``, ``UIDL``, ``RETR``, ``DELE``, ``RSET``, ``NOOP``, ``QUIT`` (deletions
happen at ``QUIT``, as RFC 1939 says). One mailbox shared by both, guarded by a lock.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Stored:
    raw: bytes
    flags: set[str] = field(default_factory=set)


class Store:
    def __init__(self, user: str = "bounces", password: str = "secret") -> None:
        self.user = user
        self.password = password
        self.messages: list[Stored] = []
        self.lock = threading.Lock()
        self.logins = 0

    def add(self, raw: bytes) -> None:
        with self.lock:
            self.messages.append(Stored(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))

    def raws(self) -> list[bytes]:
        with self.lock:
            return [m.raw for m in self.messages]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type, store: Store) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.store = store


class _Base:
    def __init__(self, store: Store, handler: type) -> None:
        self.store = store
        self.server = _Server(handler, store)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- IMAP -------------------------------------------------------------------------------

_FETCH = re.compile(r"^(\S+)\s+(\(.*\)|\S+)$")


class _ImapHandler(socketserver.StreamRequestHandler):
    def send(self, line: str | bytes) -> None:
        data = line if isinstance(line, bytes) else line.encode()
        self.wfile.write(data + b"\r\n")

    def handle(self) -> None:
        store: Store = self.server.store  # type: ignore[attr-defined]
        self.send("* OK IMAP4rev1 test server ready")
        authed = selected = False
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":  # not used by the client under test
                self.send(f"{tag} BAD UID not supported")
            elif command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif command == "LOGIN":
                user, password = (part.strip('"') for part in args.split(" ", 1))
                if user == store.user and password == store.password:
                    authed = True
                    store.logins += 1
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif not authed:
                self.send(f"{tag} NO not authenticated")
            elif command in ("SELECT", "EXAMINE"):
                selected = True
                with store.lock:
                    count = len(store.messages)
                    unseen = [
                        i + 1 for i, m in enumerate(store.messages) if "\\Seen" not in m.flags
                    ]
                self.send(f"* {count} EXISTS")
                self.send("* 0 RECENT")
                if unseen:
                    self.send(f"* OK [UNSEEN {unseen[0]}] first unseen")
                self.send("* FLAGS (\\Seen \\Deleted)")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            elif not selected:
                self.send(f"{tag} NO no mailbox selected")
            elif command == "SEARCH":
                criteria = args.strip().upper()
                with store.lock:
                    numbers = [
                        i + 1
                        for i, m in enumerate(store.messages)
                        if criteria in ("ALL", "")
                        or (criteria == "UNSEEN" and "\\Seen" not in m.flags)
                    ]
                self.send("* SEARCH" + "".join(f" {n}" for n in numbers))
                self.send(f"{tag} OK SEARCH completed")
            elif command == "FETCH":
                match = _FETCH.match(args)
                number = int(match.group(1)) if match and match.group(1).isdigit() else 0
                with store.lock:
                    found = (
                        store.messages[number - 1] if 0 < number <= len(store.messages) else None
                    )
                    if found and "PEEK" not in args.upper():
                        found.flags.add("\\Seen")
                if found is None:
                    self.send(f"{tag} BAD no such message")
                    continue
                item = "BODY[]" if "BODY" in args.upper() else "RFC822"
                self.wfile.write(f"* {number} FETCH ({item} {{{len(found.raw)}}}\r\n".encode())
                self.wfile.write(found.raw)
                self.send(")")
                self.send(f"{tag} OK FETCH completed")
            elif command == "STORE":
                number_text, _, rest_args = args.partition(" ")
                flags = set(re.findall(r"\\\w+", rest_args))
                with store.lock:
                    message = store.messages[int(number_text) - 1]
                    if "-FLAGS" in rest_args.upper():
                        message.flags -= flags
                    else:
                        message.flags |= flags
                    shown = " ".join(sorted(message.flags))
                self.send(f"* {number_text} FETCH (FLAGS ({shown}))")
                self.send(f"{tag} OK STORE completed")
            elif command in ("EXPUNGE", "CLOSE"):
                with store.lock:
                    for index in reversed(range(len(store.messages))):
                        if "\\Deleted" in store.messages[index].flags:
                            del store.messages[index]
                            if command == "EXPUNGE":
                                self.send(f"* {index + 1} EXPUNGE")
                if command == "CLOSE":
                    selected = False
                self.send(f"{tag} OK {command} completed")
            else:
                self.send(f"{tag} BAD unknown command")


class ImapServer(_Base):
    def __init__(self, store: Store) -> None:
        super().__init__(store, _ImapHandler)


# --- POP3 -------------------------------------------------------------------------------


class _PopHandler(socketserver.StreamRequestHandler):
    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        store: Store = self.server.store  # type: ignore[attr-defined]
        self.send("+OK POP3 test server ready")
        user = None
        authed = False
        deleted: set[int] = set()
        with store.lock:
            snapshot = list(store.messages)
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command, _, arg = raw.decode().rstrip("\r\n").partition(" ")
            command = command.upper()
            if command == "CAPA":
                self.send("+OK capability list follows")
                self.send("USER")
                self.send("UIDL")
                self.send(".")
            elif command == "USER":
                user = arg
                self.send("+OK")
            elif command == "PASS":
                if user == store.user and arg == store.password:
                    authed = True
                    store.logins += 1
                    self.send("+OK logged in")
                else:
                    self.send("-ERR invalid credentials")
            elif command == "QUIT":
                if authed and deleted:
                    with store.lock:
                        gone = {id(snapshot[i - 1]) for i in deleted}
                        store.messages = [m for m in store.messages if id(m) not in gone]
                self.send("+OK bye")
                return
            elif not authed:
                self.send("-ERR not authenticated")
            elif command == "STAT":
                live = [m for i, m in enumerate(snapshot, 1) if i not in deleted]
                self.send(f"+OK {len(live)} {sum(len(m.raw) for m in live)}")
            elif command == "LIST":
                self.send("+OK scan listing follows")
                for i, message in enumerate(snapshot, 1):
                    if i not in deleted:
                        self.send(f"{i} {len(message.raw)}")
                self.send(".")
            elif command == "UIDL":
                self.send("+OK")
                for i, message in enumerate(snapshot, 1):
                    if i not in deleted:
                        self.send(f"{i} m{id(message)}")
                self.send(".")
            elif command == "RETR":
                number = int(arg)
                if not 0 < number <= len(snapshot) or number in deleted:
                    self.send("-ERR no such message")
                    continue
                self.send(f"+OK {len(snapshot[number - 1].raw)} octets")
                for line in snapshot[number - 1].raw.split(b"\r\n")[:-1]:
                    if line.startswith(b"."):
                        line = b"." + line
                    self.wfile.write(line + b"\r\n")
                self.send(".")
            elif command == "DELE":
                deleted.add(int(arg))
                self.send("+OK marked")
            elif command == "RSET":
                deleted.clear()
                self.send("+OK")
            elif command == "NOOP":
                self.send("+OK")
            else:
                self.send("-ERR unknown command")


class Pop3Server(_Base):
    def __init__(self, store: Store) -> None:
        super().__init__(store, _PopHandler)
