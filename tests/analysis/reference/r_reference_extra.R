# Extended copy of shared/reference/r-survey/r_reference.R: adds ops ratio, cralpha, contrast
# and calibrations calibrate (linear, bounded) and trim; data are read from --data-dir.
# usage: Rscript r_reference_extra.R SPEC.json OUT.json DATA_DIR
# Computes reference results with R's survey package for a JSON spec.
# usage: Rscript r_reference.R SPEC.json OUT.json
# A spec: {"data": "file.csv", "cases": [{"name", "design": {ids, strata, weights, fpc, nest},
#   "lonely_psu", "calibrate": {"type": "rake"|"poststratify", "margins": {var: {level: total}}},
#   "replicate": "JKn"|"JK1", "ops": [...]}]}
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
spec <- fromJSON(args[1], simplifyVector = FALSE)
base <- if (length(args) >= 3) args[3] else dirname(args[1])
data <- read.csv(file.path(base, spec$data), stringsAsFactors = FALSE)

fml <- function(x) if (is.null(x)) NULL else as.formula(paste("~", paste(unlist(x), collapse = "+")))

run_op <- function(d, op) {
  v <- op$var
  r <- switch(op$op,
    mean = {
      e <- svymean(fml(v), d, na.rm = TRUE, deff = TRUE)
      list(value = as.numeric(coef(e)), se = as.numeric(SE(e)), deff = as.numeric(deff(e)))
    },
    total = {
      e <- svytotal(fml(v), d, na.rm = TRUE)
      list(value = as.numeric(coef(e)), se = as.numeric(SE(e)))
    },
    proportion = {
      f <- as.formula(sprintf("~I(%s == '%s')", v, op$level))
      e <- svyciprop(f, d, method = op$method, level = 0.95, na.rm = TRUE)
      ci <- attr(e, "ci")
      list(value = as.numeric(coef(e)), se = as.numeric(SE(e)), ci_low = as.numeric(ci[1]), ci_high = as.numeric(ci[2]))
    },
    quantile = {
      e <- svyquantile(fml(v), d, quantiles = op$p, ci = TRUE, na.rm = TRUE)
      q <- e[[1]]
      list(value = unname(q[1, 1]), ci_low = unname(q[1, 2]), ci_high = unname(q[1, 3]), se = unname(q[1, 4]))
    },
    by_mean = {
      e <- svyby(fml(v), fml(op$by), d, svymean, na.rm = TRUE)
      list(domains = as.character(e[[op$by]]), value = as.numeric(coef(e)), se = as.numeric(SE(e)))
    },
    chisq = {
      t <- svychisq(as.formula(sprintf("~%s+%s", op$a, op$b)), d, statistic = op$statistic)
      list(statistic = unname(t$statistic), df = unname(as.numeric(t$parameter)), p = unname(t$p.value))
    },
    glm = {
      fam <- switch(op$family, gaussian = gaussian(), binomial = quasibinomial())
      m <- svyglm(as.formula(op$formula), d, family = fam)
      list(terms = names(coef(m)), value = unname(coef(m)), se = unname(SE(m)))
    },
    ratio = {
      e <- svyratio(fml(op$num), fml(op$den), d, na.rm = TRUE)
      list(value = as.numeric(coef(e)), se = as.numeric(SE(e)))
    },
    cralpha = {
      list(value = as.numeric(svycralpha(fml(op$vars), d, na.rm = TRUE)))
    },
    contrast = {
      b <- svyby(fml(v), fml(op$by), d, svymean, na.rm = TRUE, covmat = TRUE)
      cc <- setNames(as.numeric(rownames(b) == op$levels[[1]]) - as.numeric(rownames(b) == op$levels[[2]]), rownames(b))
      e <- svycontrast(b, cc)
      list(value = as.numeric(coef(e)), se = as.numeric(SE(e)))
    },
    weights = {
      w <- weights(d, "sampling")
      if (is.matrix(w)) w <- rowSums(w) / ncol(w)
      list(first = unname(head(w, 20)), sum = sum(w))
    }
  )
  c(op, list(result = r))
}

cases <- lapply(spec$cases, function(cs) {
  if (!is.null(cs$lonely_psu)) options(survey.lonely.psu = cs$lonely_psu) else options(survey.lonely.psu = "fail")
  ds <- cs$design
  d <- svydesign(ids = if (is.null(ds$ids)) ~1 else fml(ds$ids), strata = fml(ds$strata),
                 weights = fml(ds$weights), fpc = fml(ds$fpc), nest = isTRUE(ds$nest), data = data)
  if (!is.null(cs$calibrate)) {
    cal <- cs$calibrate
    if (cal$type == "rake") {
      margins <- lapply(names(cal$margins), function(n) fml(n))
      pops <- lapply(names(cal$margins), function(n) {
        m <- cal$margins[[n]]
        df <- data.frame(names(m), unlist(m), stringsAsFactors = FALSE)
        names(df) <- c(n, "Freq")
        df
      })
      d <- rake(d, margins, pops, control = list(maxit = 100, epsilon = 1e-10, verbose = FALSE))
    } else if (cal$type == "calibrate") {
      bounds <- if (is.null(cal$bounds)) c(-Inf, Inf) else unlist(cal$bounds)
      pop <- unlist(cal$population)
      d <- calibrate(d, as.formula(cal$formula), population = pop, bounds = bounds,
                     calfun = if (is.null(cal$calfun)) "linear" else cal$calfun)
    } else if (cal$type == "trim") {
      d <- trimWeights(d, lower = if (is.null(cal$lower)) -Inf else cal$lower,
                       upper = if (is.null(cal$upper)) Inf else cal$upper)
    } else if (cal$type == "poststratify") {
      n <- names(cal$margins)[1]
      m <- cal$margins[[n]]
      df <- data.frame(names(m), unlist(m), stringsAsFactors = FALSE)
      names(df) <- c(n, "Freq")
      d <- postStratify(d, fml(n), df)
    }
  }
  if (!is.null(cs$replicate)) d <- as.svrepdesign(d, type = cs$replicate)
  list(name = cs$name, design = cs$design, calibrate = cs$calibrate, replicate = cs$replicate,
       lonely_psu = cs$lonely_psu, results = lapply(cs$ops, function(op) run_op(d, op)))
})
out <- list(source = sprintf("R %s, survey %s", getRversion(), packageVersion("survey")),
            data = spec$data, cases = cases)
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), args[2])
