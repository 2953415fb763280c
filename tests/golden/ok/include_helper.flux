{% include "_helper.flux" %}

pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for t in shared_tables %}
    {{ probe(t) }}
    {% endfor %}
    probe_a >> probe_b
}
