next _dst.flux -n 3 --after 2027-10-29T12:00:00
