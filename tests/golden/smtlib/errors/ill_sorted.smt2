(set-logic QF_LIA)
(declare-const x Int)
(assert (and x true))
