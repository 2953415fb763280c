task a : bash { command = "true" }
task b : bash { command = "true" } }
