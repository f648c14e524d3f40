-- The audit log moved to the schema "audit", owned by a role nobody logs in as (coopreg/provision.py):
-- here, in the register API's own schema, its owner could disable the triggers and rewrite entries.
-- Provisioning moves the entries of an older database before the API starts; an entry still here means
-- it did not, and dropping the table would lose it: refused.
DO $$
BEGIN
    IF to_regclass('audit_log') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM audit_log) THEN
            RAISE EXCEPTION 'register_api.audit_log still holds entries: provision the database first, '
                            'which moves them to audit.audit_log';
        END IF;
        DROP TABLE audit_log;
    END IF;
    DROP FUNCTION IF EXISTS audit_log_is_append_only();
END $$;
