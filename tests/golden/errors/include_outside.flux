# an include may not leave the tree of the including file
{% include "../ok/design_example.flux" %}

pipeline p {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "true" }
}
