(set-logic QF_LIA)
(declare-const x Int)
(assert (let ((y 1) (y 2)) (> x y)))
