-- Erasure as a durable request: the API records it and publishes it; every service erases its part in its
-- own process and reports; the request is complete (the person's key destroyed) when all have reported.
CREATE TABLE erasure_requests (
    request_id   text        PRIMARY KEY,
    person_id    text        NOT NULL,
    reason       text        NOT NULL CHECK (reason IN ('retention', 'request')),
    requested_by text        NOT NULL,
    requested_at timestamptz NOT NULL,
    completed_at timestamptz
);
-- one open request per person: a second request while one is under way is the same request
CREATE UNIQUE INDEX erasure_requests_open ON erasure_requests (person_id) WHERE completed_at IS NULL;

CREATE TABLE erasure_reports (
    request_id text        NOT NULL REFERENCES erasure_requests,
    service    text        NOT NULL,
    rows       jsonb       NOT NULL,
    done_at    timestamptz NOT NULL,
    PRIMARY KEY (request_id, service)
);

-- What each service erased in a retention run; the run is finished when every service has reported.
CREATE TABLE retention_reports (
    run_id              text        NOT NULL REFERENCES retention_runs,
    service             text        NOT NULL,
    erased              jsonb       NOT NULL,
    relationships_ended integer     NOT NULL,
    done_at             timestamptz NOT NULL,
    PRIMARY KEY (run_id, service)
);
