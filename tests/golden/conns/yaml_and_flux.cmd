check unknown_pool.flux --connections _one_bad.yaml
