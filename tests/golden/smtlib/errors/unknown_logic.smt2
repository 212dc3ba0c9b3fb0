(set-logic QF_LAI)
