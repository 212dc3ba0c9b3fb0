(set-logic QF_LIA)
(declare-fun f (Int) Int)
(assert (= (f 1 2) 0))
