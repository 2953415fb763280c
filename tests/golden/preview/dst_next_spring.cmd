next _dst.flux -n 3 --after 2027-03-26T12:00:00
