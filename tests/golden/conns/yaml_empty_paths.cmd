check _plain.flux --connections _empty_paths.yaml
