-- Local projection of membership.households.v1: the household's cooperative (from which month) and the
-- open capital contribution that Bonus is applied to first.
CREATE TABLE households (
    household_id            text PRIMARY KEY,
    version                 integer     NOT NULL,
    status                  text        NOT NULL,
    cooperative_id          text        NOT NULL,
    cooperative_from        timestamptz NOT NULL,
    open_contribution_cents bigint      NOT NULL,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
