"""The plan templates: every one of docs/consultants.md, with limits, evidence labels and sources."""

from server.domain.templates import DISCLAIMER, TEMPLATES, parse_clock


def test_every_template_of_domain_md_is_offered():
    assert set(TEMPLATES) == {
        "frequent-boost", "power-hour", "power-hour-long", "cluster-evening",
        "exclusive-newborn", "exclusive-established", "wean",
    }


def test_weak_sources_carry_the_label_domain_md_gives_them():
    assert TEMPLATES["frequent-boost"].evidence == "limited evidence: one article"
    assert TEMPLATES["power-hour-long"].evidence == "limited evidence: one blog post"
    assert TEMPLATES["cluster-evening"].evidence == "no standard protocol"


def test_labels_claim_no_grade_a_source_does_not_give():
    for template in TEMPLATES.values():
        assert "common practice" not in template.evidence.lower()
        assert "common practice" not in template.description.lower()


def test_boost_attributes_to_its_seed_article_only_what_it_says():
    boost = TEMPLATES["frequent-boost"]
    assert '"both breasts for 15 minutes every two hours for 48-72 hours"' in boost.description
    assert "day and night" not in boost.description and "at least one session at night" not in boost.description


def test_overrides_outside_a_source_figures_are_labelled_as_adaptations():
    boost = TEMPLATES["frequent-boost"]
    assert boost.evidence_for({"hours": 72, "interval_min": 120, "pump_min": 15}) == boost.evidence
    label = boost.evidence_for({"hours": 48, "interval_min": 90, "pump_min": 20})
    assert label.startswith("adaptation: interval_min, pump_min outside the source's figures")
    assert boost.evidence in label


def test_every_template_names_its_source_and_describes_itself():
    for template in TEMPLATES.values():
        assert template.source and template.description and template.name and template.evidence


def test_defaults_sit_within_their_limits():
    for template in TEMPLATES.values():
        for spec in template.params:
            if spec.type == "integer":
                assert spec.min <= spec.default <= spec.max, (template.key, spec.name)
            else:
                parse_clock(spec.default)
            assert spec.description


def test_defaults_and_ranges_match_domain_md():
    boost = TEMPLATES["frequent-boost"]
    assert (boost.param("hours").default, boost.param("hours").min, boost.param("hours").max) == (48, 48, 72)
    assert boost.param("pump_min").default == 15 and boost.param("interval_min").default == 120
    power = TEMPLATES["power-hour"]
    assert (power.param("days").default, power.param("days").min, power.param("days").max) == (7, 5, 7)
    assert power.param("start_time").default == "07:00"
    assert (TEMPLATES["power-hour-long"].param("days").min, TEMPLATES["power-hour-long"].param("days").max) == (2, 3)
    cluster = TEMPLATES["cluster-evening"]
    assert (cluster.param("pump_min").min, cluster.param("pump_min").max) == (5, 15)
    assert (cluster.param("rest_min").min, cluster.param("rest_min").max) == (10, 20)
    assert (cluster.param("window_min").min, cluster.param("window_min").max) == (120, 180)
    newborn = TEMPLATES["exclusive-newborn"]
    assert (newborn.param("sessions_per_day").min, newborn.param("sessions_per_day").max) == (8, 12)
    assert (newborn.param("night_gap_h").default, newborn.param("night_gap_h").min) == (5, 4)
    assert (newborn.param("pump_min").min, newborn.param("pump_min").max) == (15, 20)
    established = TEMPLATES["exclusive-established"]
    assert (established.param("sessions_per_day").min, established.param("sessions_per_day").max) == (7, 8)
    assert established.param("night_gap_h").max == 6
    wean = TEMPLATES["wean"]
    drop = wean.param("drop_every_days")
    assert (drop.default, drop.min, drop.max) == (4, 3, 7)
    assert (wean.param("drop_every_days_low").min, wean.param("drop_every_days_low").max) == (7, 14)


def test_disclaimer_says_it_is_not_medical_advice():
    assert "not medical advice" in DISCLAIMER
