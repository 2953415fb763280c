graph _design.flux --format json
