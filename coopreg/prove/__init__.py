"""`coopreg prove erasure`: one person with a history in every service, erased through the register API, then
searched for everywhere the register keeps anything — tables, topics, logs, dead letters — and updates about
them replayed to show nobody brings them back."""
