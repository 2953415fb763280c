pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        xs = ["a"]
    }
    task a : bash { command = "echo {% endif %}" }
    task b : bash { command = "{% if params.xs %}{% for x in params.xs %}{{ x }}{% endif %}" }
    task c : bash { command = "{% for x in params.xs %}{{ x }}" }
    task d : bash { command = "{% if params.xs %}a{% else %}b{% elif true %}c{% endif %}" }
    task e : bash { command = "{% for x in params.xs %}{{ x }}{% else %}none{% endfor %}" }
    task f : bash { command = "{% macro m() %}x{% endmacro %}" }
    task g : bash { command = "{% include "x.flux" %}" }
    task h : bash { command = "{% raw %}{{ x }}{% endraw %}" }
    task i : bash { command = """{% raw %}{{ x }}{% endraw %}""" }
    task j : bash { command = "{% endfro %}" }
    task k : bash { command = "{% if params.xs %}x{% endif %}{% set y %}" }
}
