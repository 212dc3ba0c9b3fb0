(set-logic QF_LIA)
(assert (> 1 0)
(check-sat)
