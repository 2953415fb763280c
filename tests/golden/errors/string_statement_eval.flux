pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        xs = ["a"]
    }
    task a : bash { command = "{% for x in 3 %}{{ x }}{% endfor %}" }
    task b : bash { command = "{% for k, v in [1, 2] %}{{ k }}{% endfor %}" }
    task c : bash { command = "{% for t in ['a', 'b'] %}{{ t ~ tt }}{% endfor %}" }
    task d : bash { command = "{% if params.xz %}{{ params.yy }}{% else %}{{ conn.warehouse.hots }}{% endif %}" }
    task e : bash { command = "{% for x in params.xs %}{{ loop.indx }}{% endfor %}" }
    task f : bash { command = "{% set n = params.xs | lenght %}{{ n }}" }
    task g : bash { command = "{% for i in range(1000000) %}{{ '0123456789' * 10 }}{% endfor %}" }
    task h : bash { command = "{% if tasks.a.outputs.n %}x{% endif %}{% for y in tasks.h.outputs.ys %}{{ y }}{% endfor %}" }
    task i : mysql {
        conn = "{% if params.xs %}a{% endif %}"
        sql = "SELECT 1"
    }
}
