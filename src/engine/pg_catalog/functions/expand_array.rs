//! `_pg_expandarray(array)`: PostgreSQL's `information_schema` function
//! giving one `(x, n)` row per element (the element and its 1-based
//! position), here a list of `{x, n}` structs that the catalog rewrite
//! unnests where the query calls it.

use std::sync::Arc;

use arrow::array::{Array, AsArray, Int32Array, ListArray, StructArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// The `_pg_expandarray` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExpandArray {
    signature: Signature,
}

impl ExpandArray {
    /// The function, taking any one argument (a list, else an error).
    pub fn new() -> ExpandArray {
        ExpandArray {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

/// The `{x, n}` fields for elements of type `element`.
fn fields(element: &Field) -> Fields {
    Fields::from(vec![
        Field::new("x", element.data_type().clone(), true),
        Field::new("n", DataType::Int32, false),
    ])
}

fn element_field(input: &DataType) -> Result<Arc<Field>> {
    match input {
        DataType::List(field) => Ok(field.clone()),
        DataType::Null => Ok(Arc::new(Field::new("item", DataType::Null, true))),
        other => Err(DataFusionError::Plan(format!(
            "_pg_expandarray expects an array, not {other}"
        ))),
    }
}

impl ScalarUDFImpl for ExpandArray {
    fn name(&self) -> &str {
        "_pg_expandarray"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let element = element_field(&args[0])?;
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(fields(&element)),
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let input = args.args[0].to_array(rows)?;
        let element = element_field(input.data_type())?;
        let list: ListArray = match input.data_type() {
            DataType::List(_) => input.as_list::<i32>().clone(),
            _ => ListArray::new_null(element.clone(), rows),
        };
        let offsets = list.offsets();
        // Each element's 1-based position in its list (elements outside
        // every list's range, after slicing, get 0).
        let mut positions = vec![0i32; list.values().len()];
        for window in offsets.windows(2) {
            let (start, end) = (window[0] as usize, window[1] as usize);
            for (i, position) in positions[start..end].iter_mut().enumerate() {
                *position = i as i32 + 1;
            }
        }
        let structs = StructArray::try_new(
            fields(&element),
            vec![list.values().clone(), Arc::new(Int32Array::from(positions))],
            None,
        )?;
        let expanded = ListArray::try_new(
            Arc::new(Field::new("item", structs.data_type().clone(), true)),
            offsets.clone(),
            Arc::new(structs),
            list.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(expanded)))
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::Int16Array;
    use arrow::datatypes::Int16Type;

    use super::*;

    #[test]
    fn elements_get_their_positions() {
        let list = ListArray::from_iter_primitive::<Int16Type, _, _>(vec![
            Some(vec![Some(3), Some(1)]),
            None,
            Some(vec![Some(7)]),
        ]);
        let field = Arc::new(Field::new("a", list.data_type().clone(), true));
        let function = ExpandArray::new();
        let result = function
            .invoke_with_args(ScalarFunctionArgs {
                args: vec![ColumnarValue::Array(Arc::new(list))],
                arg_fields: vec![field],
                number_rows: 3,
                return_field: Arc::new(Field::new(
                    "r",
                    function
                        .return_type(&[DataType::new_list(DataType::Int16, true)])
                        .unwrap(),
                    true,
                )),
                config_options: Arc::new(Default::default()),
            })
            .unwrap()
            .to_array(3)
            .unwrap();
        let list = result.as_list::<i32>();
        assert!(list.is_null(1));
        let first = list.value(0);
        let first = first.as_struct();
        let x = first
            .column(0)
            .as_any()
            .downcast_ref::<Int16Array>()
            .unwrap();
        let n = first
            .column(1)
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap();
        assert_eq!(x.values().to_vec(), vec![3, 1]);
        assert_eq!(n.values().to_vec(), vec![1, 2]);
        assert_eq!(
            list.value(2)
                .as_struct()
                .column(1)
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .value(0),
            1
        );
    }
}
