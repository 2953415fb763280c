graph _design.flux --format dot
