check --format json _names.flux --connections _one_bad.yaml
