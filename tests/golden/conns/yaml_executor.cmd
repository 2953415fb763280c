check _plain.flux --connections _executor.yaml
