"""Headers from an envelope template are an envelope's headers, byte for byte."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts.envelope import Envelope, EnvelopeTemplate, InvalidEnvelope

AT = datetime(2026, 11, 1, 0, 5, 7, 123456, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize("subject", [None, "h-1", 'h-"ä"\\'])
@pytest.mark.parametrize("cooperative", [None, "hok-elanto"])
def test_a_templates_headers_are_the_envelopes(subject, cooperative):
    template = EnvelopeTemplate("coopreg/bonus", "fi.sok.bonus.statement.v1", AT)
    envelope = Envelope(source="coopreg/bonus", type="fi.sok.bonus.statement.v1", id="statement:h-1:2026-10",
                        time=AT, subject=subject, cooperative=cooperative)
    assert template.headers("statement:h-1:2026-10", subject, cooperative) == envelope.headers()


def test_a_template_refuses_what_an_envelope_refuses():
    with pytest.raises(InvalidEnvelope, match="UTC offset"):
        EnvelopeTemplate("coopreg/bonus", "t", datetime(2026, 11, 1))
    with pytest.raises(InvalidEnvelope, match="must not be empty"):
        EnvelopeTemplate("", "t", AT)
    with pytest.raises(InvalidEnvelope, match="must not be empty"):
        EnvelopeTemplate("coopreg/bonus", "t", AT).headers("")
