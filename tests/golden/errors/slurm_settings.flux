# slurm { } and executor checked at compile time: known keys with
# did-you-mean, sizes, durations, sbatch arguments Flux owns, a time limit
# shorter than the timeout, a sensor as a job, settings of a local task
pipeline bad_slurm {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    executor = slurmm
    slurm {
        partiton = "batch"
        time     = 30m
    }
    task a : bash {
        command = "true"
        timeout = 1h
        slurm {
            mem  = "4g"
            cpus = 0
        }
    }
    task b : bash {
        command = "true"
        slurm   = { mem = 4096, time = "2h", gres = gpu, sbatch_args = ["--exclusive", "--comment=x", "-Jname", "--time=10"] }
    }
    task c : bash {
        command  = "true"
        executor = local
        slurm { qos = "short" }
    }
    task w : file_sensor {
        path     = "/data/ready"
        executor = slurm
    }
    slurm = { account = "etl" }
}
