package org.radlab.core.task;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * A use case's assist module: for each category, its CDE value and the sentence a prediction of it puts into the
 * report. The document is XML in the namespace {@value #NAMESPACE}, checked against {@code assist-module.xsd}
 * and against the use case's categories (every category once, with its own CDE id).
 */
public record AssistModule(String useCase, String site, Map<String, Finding> findings) {
  public static final String NAMESPACE = "urn:radlab:assist-module:1";
  private static final Schema SCHEMA = loadSchema();

  /** What the assist module is checked against: a use case's category (code, CDE id, description). */
  public interface Category {
    String code();

    String cdeId();

    String description();
  }

  /** One category's report text; an empty text adds nothing to the report. */
  public record Finding(String category, String cde, String reportText) {}

  /** A document that is not a valid assist module; the message says where and why. */
  public static final class InvalidDocument extends Exception {
    public InvalidDocument(String message) {
      super(message);
    }
  }

  /** Reads and validates a document (schema only; see {@link #checkAgainst} for the use case's categories). */
  public static AssistModule parse(String xml) throws InvalidDocument {
    if (xml == null || xml.isBlank()) {
      throw new InvalidDocument("the assist module document is empty");
    }
    try {
      Validator validator = SCHEMA.newValidator();
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      validator.validate(new StreamSource(new StringReader(xml)));
      Document doc = builder().parse(new InputSource(new StringReader(xml)));
      Element root = doc.getDocumentElement();
      Map<String, Finding> findings = new LinkedHashMap<>();
      NodeList nodes = root.getElementsByTagNameNS(NAMESPACE, "finding");
      for (int i = 0; i < nodes.getLength(); i++) {
        Element f = (Element) nodes.item(i);
        String text = f.getElementsByTagNameNS(NAMESPACE, "reportText").item(0).getTextContent().strip();
        findings.put(f.getAttribute("category"), new Finding(f.getAttribute("category"), f.getAttribute("cde"), text));
      }
      return new AssistModule(root.getAttribute("useCase"), root.hasAttribute("site") ? root.getAttribute("site")
          : null, findings);
    } catch (SAXParseException e) {
      throw new InvalidDocument("line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": "
          + e.getMessage());
    } catch (SAXException | IOException e) {
      throw new InvalidDocument(e.getMessage());
    }
  }

  /** Checks that the findings are exactly the use case's categories, each with its own CDE id. */
  public AssistModule checkAgainst(List<? extends Category> categories) throws InvalidDocument {
    Set<String> codes = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Category c : categories) {
      codes.add(c.code());
      Finding f = findings.get(c.code());
      if (f == null) {
        problems.add("category " + c.code() + " has no finding");
      } else if (!f.cde().equals(c.cdeId())) {
        problems.add("category " + c.code() + " has CDE id " + c.cdeId() + ", the document says " + f.cde());
      }
    }
    for (String code : findings.keySet()) {
      if (!codes.contains(code)) {
        problems.add("the use case has no category " + code + " (it has " + codes + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidDocument(String.join("; ", problems));
    }
    return this;
  }

  /** The report sentence for a predicted category ("" when the site left it blank or it is unknown). */
  public String reportText(String category) {
    Finding f = findings.get(category);
    return f == null ? "" : f.reportText();
  }

  /** The document a use case starts with: each category's description as its report sentence. */
  public static String defaultFor(String useCaseTitle, List<? extends Category> categories) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<assistModule xmlns=\""
        + NAMESPACE + "\" useCase=\"" + escape(useCaseTitle) + "\">\n");
    for (Category c : categories) {
      xml.append("  <finding category=\"").append(escape(c.code())).append("\" cde=\"").append(escape(c.cdeId()))
          .append("\">\n    <reportText>").append(escape(c.description())).append("</reportText>\n  </finding>\n");
    }
    return xml.append("</assistModule>\n").toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static DocumentBuilder builder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Schema loadSchema() {
    try {
      SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      return f.newSchema(AssistModule.class.getResource("/org/radlab/core/task/assist-module.xsd"));
    } catch (SAXException e) {
      throw new IllegalStateException("the assist-module schema does not load", e);
    }
  }
}
