"""Synthetic data for `make bench`, set-based: one INSERT ... SELECT generate_series per table
and workspace, never the ORM row by row.

It runs as the owner of the bench database (with `app.all_workspaces` on, so it works whether
or not the owner bypasses row-level security) and respects the schema: every tenant row carries
its workspace_id and foreign keys point at rows of the same workspace. Ids are given explicitly
(the database is the bench's own), so rows can point at each other by arithmetic; the
sequences are moved past them at the end. Columns this file does not name but the schema
requires (NOT NULL, no default) get a neutral value found from the catalogue, so a new column
does not break the seeding. Everything is deterministic: a row's choices come from a hash of
its id, never from random().
"""

# ruff: noqa: S608 - the SQL here is built from our own identifiers and integers, no input

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psycopg

SEED_VERSION = 3  # 2: the report covers an organisation and its teams; 3: monthly roll-ups

# A hash of a row's id, 0 <= h < 1000003 (deterministic "random" choices in SQL).
H = "(({i} * 2654435761 + {salt} * 40503) % 1000003)"

KINDS = [
    "story",
    "observation",
    "reflection",
    "idea",
    "question",
    "decision",
    "barrier",
    "enabler",
    "insight",
]
PHASES = ["understand", "co_design", "experiment", "embed"]
COMMON = [
    "housing",
    "debt",
    "loneliness",
    "benefits",
    "school",
    "health",
    "family",
    "work",
    "rent",
    "food",
    "transport",
    "carers",
    "mental",
    "wellbeing",
    "neighbours",
    "council",
    "waiting",
    "referral",
    "trust",
    "listening",
]
VERBS = [
    "met",
    "called",
    "visited",
    "heard",
    "noticed",
    "tried",
    "asked",
    "learnt",
    "changed",
    "waited",
]
RARE_WORD = "zephyrine"  # in about one entry of 10,000: the "rare word" search
THEME_NAMES = [
    "Housing",
    "Debt",
    "Loneliness",
    "Benefits",
    "School",
    "Health",
    "Family",
    "Work",
    "Rent",
    "Food",
    "Transport",
    "Carers",
    "Mental health",
    "Wellbeing",
    "Neighbours",
    "Trust",
    "Waiting lists",
    "Referrals",
    "Listening",
    "Belonging",
    "Digital access",
    "Language",
    "Disability",
    "Safety",
    "Youth",
    "Older age",
    "Money advice",
    "Employment",
    "Education",
    "Community",
]


@dataclass(frozen=True)
class Profile:
    name: str
    teams: int
    orgs: int
    places: int
    practitioners_per_team: int
    entries: int
    people: int
    experiments: int
    barriers: int
    sessions: int
    themes: int
    small_workspaces: int
    small_entries: int


PROFILES = {
    "small": Profile(
        name="small",
        teams=8,
        orgs=4,
        places=2,
        practitioners_per_team=3,
        entries=2_000,
        people=400,
        experiments=40,
        barriers=20,
        sessions=20,
        themes=12,
        small_workspaces=3,
        small_entries=60,
    ),
    "large": Profile(
        name="large",
        teams=200,
        orgs=20,
        places=2,
        practitioners_per_team=10,
        entries=1_000_000,
        people=100_000,
        experiments=20_000,
        barriers=5_000,
        sessions=10_000,
        themes=30,
        small_workspaces=200,
        small_entries=200,
    ),
}
# A small workspace: one organisation, place and country with two teams.
TINY = Profile("tiny", 2, 1, 1, 2, 0, 30, 4, 2, 2, 6, 0, 0)

PASSWORD = "bench-password-not-secret"  # every seeded user's; the database is the bench's own


@dataclass(frozen=True)
class World:
    """Where the measurements find things in the main workspace (ids are fixed by the seed)."""

    workspace_id: int
    slug: str
    admin: int
    steward: int
    managers: list[int]
    practitioners: list[int]
    country: int
    places: list[int]
    orgs: list[int]
    teams: list[int]

    def email(self, user_id: int) -> str:
        return f"u{user_id}@bench.example"


class Seeder:
    def __init__(self, conn: psycopg.Connection[Any], password_hash: str) -> None:
        self.conn = conn
        self.password_hash = password_hash
        self.next_id: dict[str, int] = {}
        self.required: dict[str, list[tuple[str, str]]] = {}

    # -- helpers ------------------------------------------------------------------------------

    def ids(self, table: str, count: int) -> int:
        """Reserve `count` ids in `table`; returns the first."""
        first = self.next_id.get(table, 1)
        self.next_id[table] = first + count
        return first

    def _required(self, table: str) -> list[tuple[str, str]]:
        if table not in self.required:
            rows = self.conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO' "
                "AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'",
                [table],
            ).fetchall()
            self.required[table] = [(str(r[0]), str(r[1])) for r in rows]
        return self.required[table]

    @staticmethod
    def _neutral(column: str, data_type: str) -> str:
        if column in ("revision", "version", "notes_revision"):
            return "1"
        return {
            "timestamp with time zone": "now()",
            "date": "current_date",
            "boolean": "false",
            "integer": "0",
            "smallint": "0",
            "bigint": "0",
            "jsonb": "'{}'::jsonb",
            "ARRAY": "'{}'",
            "uuid": "gen_random_uuid()",
            "bytea": "''::bytea",
        }.get(data_type, "''")

    def insert(self, table: str, n: int, values: dict[str, str], start: int | None = None) -> int:
        """INSERT n rows into `table`; `values` maps columns to SQL over `i` (1..n) and `id`.
        Returns the first id."""
        if n <= 0:
            return self.next_id.get(table, 1)
        first = self.ids(table, n) if start is None else start
        columns = {"id": "id", **values}
        for column, data_type in self._required(table):
            columns.setdefault(column, self._neutral(column, data_type))
        select = ", ".join(columns.values())
        self.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {select} FROM (SELECT i, {first} + i - 1 AS id "
            f"FROM generate_series(1, {n}) AS i) AS s"
        )
        return first

    def finish(self) -> None:
        for table in self.next_id:
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )

    # -- a workspace --------------------------------------------------------------------------

    def workspace(self, p: Profile, slug: str, name: str) -> World:
        ws = self.insert(
            "tenancy_workspace",
            1,
            {"name": f"'{name}'", "slug": f"'{slug}'", "small_count_threshold": "3"},
        )
        w = str(ws)
        t, o, pl = p.teams, p.orgs, p.places
        tenant = {"workspace_id": w}
        ago = "now() - interval '3 years'"

        # Scales: a person's life, team, organisation, place, country.
        scale = self.insert(
            "systems_scale",
            5,
            {
                **tenant,
                "name": "(ARRAY['A person''s life','Team','Organisation','Place','Country'])[i]",
                "position": "i - 1",
                "is_person_scale": "i = 1",
            },
        )
        # Systems and their cycles (same order): country, places, organisations, teams.
        n_sys = 1 + pl + o + t
        sys0 = self.ids("systems_system", n_sys)
        country, places, orgs, teams = sys0, sys0 + 1, sys0 + 1 + pl, sys0 + 1 + pl + o
        level = (
            f"CASE WHEN i = 1 THEN 4 WHEN i <= {1 + pl} THEN 3 "
            f"WHEN i <= {1 + pl + o} THEN 2 ELSE 1 END"
        )
        parent = (
            f"CASE WHEN i = 1 THEN NULL WHEN i <= {1 + pl} THEN {country} "
            f"WHEN i <= {1 + pl + o} THEN {places} + (i - {2 + pl}) % {pl} "
            f"ELSE {orgs} + (i - {2 + pl + o}) % {o} END"
        )
        label = (
            f"CASE WHEN i = 1 THEN 'Country' WHEN i <= {1 + pl} THEN 'Place ' || (i - 1) "
            f"WHEN i <= {1 + pl + o} THEN 'Organisation ' || (i - {1 + pl}) "
            f"ELSE 'Team ' || (i - {1 + pl + o}) END"
        )
        self.insert(
            "systems_system",
            n_sys,
            {
                **tenant,
                "name": label,
                "scale_id": f"{scale} + {level}",
                "purpose": "'Lives going well for the people we serve'",
                "parent_id": parent,
                "created_at": ago,
                "updated_at": ago,
            },
            start=sys0,
        )
        cyc0 = self.insert(
            "cycles_cycle",
            n_sys,
            {
                **tenant,
                "system_id": f"{sys0} + i - 1",
                "name": f"({label}) || ' learning cycle'",
                "purpose": "'Learn what helps'",
                "learning_questions": "'What helps people most?'",
                "phase": f"(ARRAY{PHASES})[1 + i % 4]",
                "status": "'active'",
                "created_at": ago,
                "updated_at": ago,
            },
        )
        offset = cyc0 - sys0  # cycle id = system id + offset

        def cycle(system_id: int) -> int:
            return system_id + offset

        org0 = self.insert(
            "tenancy_organisation",
            o,
            {**tenant, "name": f"'Organisation ' || i || ' ({slug})'", "created_at": ago},
        )
        self.insert(
            "systems_systemorganisation",
            o + t,
            {
                **tenant,
                "system_id": f"CASE WHEN i <= {o} THEN {orgs} + i - 1 "
                f"ELSE {teams} + i - {o + 1} END",
                "organisation_id": f"{org0} + CASE WHEN i <= {o} THEN i - 1 "
                f"ELSE (i - {o + 1}) % {o} END",
            },
        )

        # Users: an admin, a steward (country and places), a manager per organisation, then the
        # practitioners, team by team round the teams (practitioner j works in team j % t).
        ppt = p.practitioners_per_team
        n_users = 2 + o + t * ppt
        u0 = self.ids("accounts_user", n_users)
        self.insert(
            "accounts_user",
            n_users,
            {
                "email": "'u' || id || '@bench.example'",
                "full_name": "'Bench User ' || id",
                "password": f"'{self.password_hash}'",
                "time_zone": "'Europe/London'",
                "is_active": "true",
                "date_joined": ago,
            },
            start=u0,
        )
        admin, steward, managers, practs = u0, u0 + 1, u0 + 2, u0 + 2 + o
        role = (
            f"CASE WHEN i = 1 THEN 'admin' WHEN i = 2 THEN 'steward' "
            f"WHEN i <= {2 + o} THEN 'manager' ELSE 'practitioner' END"
        )
        self.insert(
            "tenancy_membership",
            n_users,
            {
                **tenant,
                "user_id": f"{u0} + i - 1",
                "role": role,
                "organisation_id": f"CASE WHEN i <= 2 THEN NULL WHEN i <= {2 + o} "
                f"THEN {org0} + i - 3 ELSE {org0} + ((i - {3 + o}) % {t}) % {o} END",
                "created_at": ago,
            },
        )
        # Who works in which system and takes part in which cycle: the steward in the country
        # and the places, each manager in their organisation, each practitioner in their team.
        n_members = (1 + pl) + o + t * ppt
        member_system = (
            f"CASE WHEN i <= {1 + pl} THEN {country} + i - 1 "
            f"WHEN i <= {1 + pl + o} THEN {orgs} + i - {2 + pl} "
            f"ELSE {teams} + (i - {2 + pl + o}) % {t} END"
        )
        member_user = (
            f"CASE WHEN i <= {1 + pl} THEN {steward} "
            f"WHEN i <= {1 + pl + o} THEN {managers} + i - {2 + pl} "
            f"ELSE {practs} + i - {2 + pl + o} END"
        )
        self.insert(
            "systems_systemmember",
            n_members,
            {**tenant, "system_id": member_system, "user_id": member_user},
        )
        self.insert(
            "cycles_cyclemember",
            n_members,
            {**tenant, "cycle_id": f"{member_system} + {offset}", "user_id": member_user},
        )

        themes = self.insert(
            "cycles_theme",
            p.themes,
            {
                **tenant,
                "name": f"(ARRAY{THEME_NAMES})[1 + (i - 1) % {len(THEME_NAMES)}]"
                f" || CASE WHEN i > {len(THEME_NAMES)} THEN ' ' || i ELSE '' END",
                "kind": "CASE WHEN i % 3 = 0 THEN 'aspiration' ELSE 'problem' END",
                "description": "''",
                "created_at": ago,
                "updated_at": ago,
            },
        )

        # People served: person k belongs to team k % t (created by one of its practitioners);
        # consent spread over the levels, most of them "shared upward" or wider.
        consent = f"(ARRAY[1,2,3,3,4,3,1,3,4,2])[1 + {H.format(i='id', salt=1)} % 10]"
        n_people = p.people
        people = self.ids("systems_person", n_people)
        per_team_people = max(n_people // t, 1)
        self.insert(
            "systems_person",
            n_people,
            {
                **tenant,
                "reference": "'P' || lpad(i::text, 7, '0')",
                "alias": "''",
                "what_matters": "'Being listened to'",
                "strengths": "''",
                "consent_level": consent,
                "created_by_id": f"{practs} + ((i - 1) % {t}) + {t} * ((i / {t}) % {ppt})",
                "created_at": ago,
                "updated_at": ago,
            },
            start=people,
        )

        # Experiments: 100 (large) per team cycle, owned by one of the team.
        status = f"(ARRAY['planned','running','ended'])[1 + {H.format(i='id', salt=2)} % 3]"
        x0 = self.insert(
            "cycles_experiment",
            p.experiments,
            {
                **tenant,
                "cycle_id": f"{cycle(teams)} + (i - 1) % {t}",
                "title": f"'Try ' || (ARRAY{COMMON})[1 + {H.format(i='id', salt=3)} % "
                f"{len(COMMON)}] || ' ' || i",
                "what_we_will_try": "'Meet people where they are'",
                "why": "''",
                "prediction": "''",
                "how_we_will_know": "''",
                "safe_to_fail_limits": "''",
                "owner_id": f"{practs} + ((i - 1) % {t}) + {t} * ((i / {t}) % {ppt})",
                "status": status,
                "outcome": f"CASE WHEN {status} = 'ended' THEN 'adapt' ELSE '' END",
                "learnt": "''",
                "starts_on": f"current_date - ({H.format(i='id', salt=4)} % 1000)::int",
                "created_at": ago,
                "updated_at": ago,
            },
        )
        self.entries(p, w, t, ppt, cycle(teams), practs, people, per_team_people, x0, themes)

        # Barriers shared upward and answered: a route from the team's cycle to its
        # organisation's, acknowledged then answered.
        nb = p.barriers
        if nb:
            r0 = self.ids("cycles_barrierroute", nb)
            self.conn.execute(
                f"""
                INSERT INTO cycles_barrierroute (id, workspace_id, entry_id, from_cycle_id,
                    to_cycle_id, state, revision, raised_by_id, raised_at, updated_at)
                SELECT {r0} + row_number() OVER (ORDER BY e.id) - 1, {w}, e.id, e.cycle_id,
                    s.parent_id + {offset},
                    CASE WHEN e.id % 3 = 0 THEN 'acknowledged' ELSE 'changed' END, 2,
                    e.author_id, e.created_at, e.created_at + interval '3 days'
                FROM cycles_entry e
                JOIN cycles_cycle c ON c.id = e.cycle_id
                JOIN systems_system s ON s.id = c.system_id
                LEFT JOIN systems_person pe ON pe.id = e.person_id
                WHERE e.workspace_id = {w} AND e.kind = 'barrier' AND e.visibility >= 3
                  AND (pe.id IS NULL OR pe.consent_level >= 3)
                ORDER BY e.id LIMIT {nb}
                """
            )
            self.conn.execute(
                f"""
                INSERT INTO cycles_barrierresponse (id, workspace_id, route_id, state, text,
                    responded_by_id, responded_at)
                SELECT {self.ids("cycles_barrierresponse", nb)} + r.id - {r0}, {w}, r.id,
                    r.state, 'We changed the referral route.', {managers}, r.updated_at
                FROM cycles_barrierroute r WHERE r.workspace_id = {w}
                """
            )

        # Sessions: one team each, spread over three years, facilitated by a practitioner.
        ns = p.sessions
        s0 = self.insert(
            "stewardship_session",
            ns,
            {
                **tenant,
                "uid": "gen_random_uuid()",
                "title": "'Learning session ' || i",
                "description": "''",
                "facilitator_id": f"{practs} + (i - 1) % {t}",
                "timezone": "'Europe/London'",
                "starts_at": f"date_trunc('hour', now()) - interval '3 years' + "
                f"({H.format(i='id', salt=5)} % 1125) * interval '1 day' + interval '10 hours'",
                "duration_minutes": "90",
                "rrule": "''",
                "location": "'Room 1'",
                "structured": "true",
                "status": "'active'",
                "sequence": "0",
                "created_by_id": f"{practs} + (i - 1) % {t}",
                "created_at": ago,
                "updated_at": ago,
            },
        )
        self.insert(
            "stewardship_sessioncycle",
            ns,
            {
                **tenant,
                "session_id": f"{s0} + i - 1",
                "cycle_id": f"{cycle(teams)} + (i - 1) % {t}",
            },
        )
        self.insert(
            "stewardship_sessionparticipant",
            ns,
            {
                **tenant,
                "session_id": f"{s0} + i - 1",
                "user_id": f"{practs} + (i - 1) % {t}",
                "email": "''",
                "name": "''",
                "response": "'accepted'",
                "created_at": ago,
            },
        )
        return World(
            workspace_id=ws,
            slug=slug,
            admin=admin,
            steward=steward,
            managers=[managers + j for j in range(o)],
            practitioners=[practs + j for j in range(t * ppt)],
            country=cycle(country),
            places=[cycle(places + j) for j in range(pl)],
            orgs=[cycle(orgs + j) for j in range(o)],
            teams=[cycle(teams + j) for j in range(t)],
        )

    def entries(
        self,
        p: Profile,
        w: str,
        t: int,
        ppt: int,
        team0: int,
        practs: int,
        people: int,
        per_team_people: int,
        x0: int,
        themes: int,
    ) -> None:
        """Entries round the teams, over three years; about 60% about a person of the team,
        about 1 in 20 a check-in on one of the team's experiments; one or two themes for 70%."""
        n = p.entries
        if not n:
            return

        def h(salt: int) -> str:
            return H.format(i="id", salt=salt)

        team = f"((i - 1) % {t})"
        words = f"(ARRAY{COMMON})"
        text = (
            f"'We ' || (ARRAY{VERBS})[1 + {h(10)} % {len(VERBS)}] || ' about ' || "
            f"{words}[1 + {h(11)} % {len(COMMON)}] || ' and ' || "
            f"{words}[1 + {h(12)} % {len(COMMON)}]"
            f" || ', then ' || {words}[1 + {h(13)} % {len(COMMON)}] || ' came up again.'"
            f" || CASE WHEN {h(14)} % 10000 = 0 THEN ' {RARE_WORD}' ELSE '' END"
        )
        per_team_x = max(p.experiments // t, 1)
        created = (
            f"(current_date - ({h(15)} % 1095)::int)::timestamptz"
            f" + ({h(16)} % 600) * interval '1 minute' + interval '8 hours'"
        )
        e0 = self.insert(
            "cycles_entry",
            n,
            {
                "workspace_id": w,
                "cycle_id": f"{team0} + {team}",
                "kind": f"(ARRAY{KINDS})[1 + {h(6)} % {len(KINDS)}]",
                "phase": f"(ARRAY{PHASES})[1 + {h(7)} % 4]",
                "text": text,
                "author_id": f"{practs} + {team} + {t} * ((i / {t}) % {ppt})",
                "person_id": f"CASE WHEN {h(8)} % 10 < 6 THEN {people} + {team} + {t} * "
                f"({h(9)} % {per_team_people}) END",
                "experiment_id": f"CASE WHEN {h(17)} % 20 = 0 THEN {x0} + {team} + {t} * "
                f"({h(18)} % {per_team_x}) END",
                "visibility": f"(ARRAY[0,1,2,3,3,4,3,1,3,2])[1 + {h(19)} % 10]",
                "happened_on": f"({created})::date",
                "signed": f"{h(20)} % 4 = 0",
                "revision": "1",
                "created_at": created,
                # one entry in 50 was edited within the last month (for `updated_since`)
                "updated_at": f"CASE WHEN {h(21)} % 50 = 0 THEN now() - ({h(22)} % 30) * "
                f"interval '1 day' ELSE {created} END",
            },
        )
        # Person ids must exist: the last team's share may run past the people; clear those.
        self.conn.execute(
            f"UPDATE cycles_entry SET person_id = NULL WHERE workspace_id = {w} "
            f"AND person_id >= {people + p.people}"
        )
        self.conn.execute(
            f"UPDATE cycles_entry SET experiment_id = NULL WHERE workspace_id = {w} "
            f"AND experiment_id >= {x0 + p.experiments}"
        )
        th = p.themes
        first = self.ids("cycles_entrytheme", 0)
        self.conn.execute(
            f"""
            INSERT INTO cycles_entrytheme (id, workspace_id, entry_id, theme_id)
            SELECT {first} + row_number() OVER () - 1, {w}, id, theme FROM (
                SELECT id, {themes} + {h(23)} % {th} AS theme FROM cycles_entry
                WHERE workspace_id = {w} AND id >= {e0} AND {h(24)} % 10 < 7
                UNION ALL
                SELECT id, {themes} + ({h(23)} % {th} + 1 + {h(25)} % {th - 1}) % {th}
                FROM cycles_entry
                WHERE workspace_id = {w} AND id >= {e0} AND {h(24)} % 10 < 2
            ) AS pairs
            """
        )
        count = self.conn.execute(
            f"SELECT count(*) FROM cycles_entrytheme WHERE workspace_id = {w}"
        ).fetchone()
        self.next_id["cycles_entrytheme"] = first + int(count[0] if count else 0)


# The triggers that keep the monthly roll-ups (cycles migration 0013), switched off or on: the
# seed's bulk statements would each recount every month of every cycle; it counts once instead.
ROLLUP_TRIGGERS = """
DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger
              WHERE tgname LIKE 'cycles_entryrollup_%' LOOP
        EXECUTE format('ALTER TABLE %s {} TRIGGER %I', t.rel, t.tgname);
    END LOOP;
END $$
"""


def seed(conn: psycopg.Connection[Any], profile: Profile, password_hash: str) -> World:
    """Seed the main workspace and the small ones; returns where the main one's things are.
    The monthly roll-ups are counted once at the end (`cycles_entryrollup_rebuild`)."""
    conn.execute("SELECT set_config('app.all_workspaces', 'on', false)")
    seeder = Seeder(conn, password_hash)
    started = time.monotonic()
    conn.execute(ROLLUP_TRIGGERS.format("DISABLE"))
    world = seeder.workspace(profile, "bench", "Bench network")
    for k in range(profile.small_workspaces):
        tiny = Profile(**{**TINY.__dict__, "entries": profile.small_entries})
        seeder.workspace(tiny, f"small-{k + 1}", f"Small workspace {k + 1}")
    seeder.finish()
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events: the tables may change
    conn.execute(ROLLUP_TRIGGERS.format("ENABLE"))
    conn.execute("ANALYZE cycles_entry, cycles_entrytheme, systems_person")
    conn.execute("SELECT cycles_entryrollup_rebuild(id) FROM tenancy_workspace")
    conn.execute("ANALYZE")
    print(f"bench: seeded {profile.name} in {time.monotonic() - started:.1f} s", flush=True)
    return world
