# executor and slurm { }: a pipeline's settings are each task's defaults,
# key by key; written as a block or as a map
pipeline on_slurm {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    executor = slurm
    timeout  = 1h
    slurm {
        partition = "batch"
        account   = "etl"
        time      = 2h
    }
    task big : bash {
        command = "true"
        slurm {
            {% for k, v in {"mem": "64G", "gres": "gpu:1"} %}
            {{ k }} = "{{ v }}"
            {% endfor %}
            cpus        = 8
            sbatch_args = ["--exclusive", "--constraint=ib"]
        }
    }
    task small : bash {
        command = "true"
        slurm   = { mem = "512M", qos = "short" }
    }
    task here : bash {
        command  = "true"
        executor = local
    }
    task wait : file_sensor { path = "/data/ready" }
    wait >> [big, small, here]
}
