task extract : bash { command = "true" }
task load : bash { command = "true" }
